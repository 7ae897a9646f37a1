"""Q8 图 2：把 x = s·e_t + PE_pos 送进“共享权重”的线性读出 E x，能否认出是哪个词？（初始化时）

Setting: tied embedding matrix E (V × d) initialised N(0, 1/d) (std d^-1/2) as in tensor2tensor, token t, position pos,
x = s·E[t] + PE[pos] with s = 1 (no factor) or s = √d. Readout: argmax_j E[j]·x (the pre-softmax linear with
shared weights). Claims (checked below), V = 2048:
* with s = √d the token is recovered for > 99 % of samples at every d_model ≥ 64;
* with s = 1 recovery is < 20 % for every d_model ≥ 64, because each logit gets noise of std ≈ √(1/2) from PE
  while the signal is only ‖E[t]‖² ≈ 1.
"""
import functools

import numpy as np

from _common import rng

ALT = ("折线图：横轴 d_model，纵轴为“从 x = 词向量 + 位置编码 用共享嵌入矩阵线性读回原词”的准确率（词表 2048，初始化时）。"
       "词向量乘 √d_model 时准确率接近 100%；不乘时只有百分之几（低于 20%），因为位置编码给每个 logit 带来的噪声与词本身的信号同量级，两千多个竞争词里总有噪声超过信号的。")

DIMS = np.array([64, 128, 256, 512, 1024])
VOCAB, SAMPLES, MAX_POS = 2048, 200, 512


def sinusoidal_pe(pos: np.ndarray, d: int) -> np.ndarray:
    i = np.arange(d // 2)[None, :]
    angle = pos[:, None] / 10000.0 ** (2 * i / d)
    pe = np.empty((len(pos), d))
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle)
    return pe


@functools.lru_cache(maxsize=None)
def compute():
    g = rng(88)
    acc = {"scaled": [], "raw": []}
    for d in DIMS:
        emb = g.normal(0.0, d ** -0.5, size=(VOCAB, d)).astype(np.float32)
        tok = g.integers(0, VOCAB, SAMPLES)
        pe = sinusoidal_pe(g.integers(0, MAX_POS, SAMPLES).astype(float), int(d))
        for name, s in (("scaled", np.sqrt(d)), ("raw", 1.0)):
            x = s * emb[tok] + pe
            pred = np.argmax(x @ emb.T, axis=1)
            acc[name].append(np.mean(pred == tok))
    res = {k: np.array(v) for k, v in acc.items()}
    assert np.all(res["scaled"] > 0.99), res["scaled"]
    assert np.all(res["raw"] < 0.20), res["raw"]
    return res


def make(theme):
    import matplotlib.pyplot as plt

    res = compute()
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.plot(DIMS, 100 * res["scaled"], "o-", color=theme.palette[0], label="x = √d_model · e_t + PE")
    ax.plot(DIMS, 100 * res["raw"], "s-", color=theme.palette[1], label="x = e_t + PE（不乘）")
    ax.axhline(100 / VOCAB, ls=":", color=theme.muted, lw=1)
    ax.text(DIMS[0], 3, "随机猜 1/2048", color=theme.muted, fontsize=8)
    ax.set_xscale("log", base=2)
    ax.set_xticks(DIMS, [str(d) for d in DIMS])
    ax.minorticks_off()
    ax.set_ylim(-3, 105)
    ax.set_xlabel("d_model")
    ax.set_ylabel("读回原词的准确率（%）")
    ax.set_title(f"共享嵌入矩阵 E（词表 {VOCAB}，N(0, 1/d_model) 初始化），读出 argmax E·x；每点 {SAMPLES} 个样本",
                 fontsize=8.5)
    ax.grid(True, alpha=0.6)
    ax.legend(fontsize=8.5, frameon=True, loc="center right")
    fig.tight_layout()
    return fig
