"""Q8 图 1：词向量的模长（乘 √d_model 之前与之后）对比正弦位置编码的模长，横轴为 d_model。

Claims (checked below):
* sinusoidal PE rows have norm exactly √(d_model/2) at every position (sin² + cos² = 1 per frequency pair);
* embeddings initialised N(0, 1/d_model), i.e. std d_model^-1/2 (the tensor2tensor SymbolModality initialiser) have mean row norm
  ≈ 1 (within 2 %) before scaling and ≈ √d_model (within 2 %) after multiplying by √d_model;
* so after scaling the token/PE norm ratio is ≈ √2 for every d_model, while without scaling PE is
  √(d_model/2) times larger than the token vector (16x at d_model = 512);
* a reproduction that keeps a framework default N(0, 1) init (e.g. PyTorch nn.Embedding) and still multiplies by
  √d_model gets norms ≈ d_model: 32x the PE at d_model = 512 — the opposite imbalance;
* GPT-2's initialisation (openai/gpt-2 model.py: wte std 0.02, wpe std 0.01, no factor) gives expected norms
  0.02·√768 ≈ 0.55 and 0.01·√768 ≈ 0.28 at d_model = 768: same order, both learned.
"""
import functools

import numpy as np

from _common import rng

ALT = ("对数坐标折线图：横轴 d_model 从 64 到 4096。按 tensor2tensor 的方式初始化（标准差 d_model^-1/2）的词向量，"
       "乘 √d_model 之前模长恒约为 1，乘之后约为 √d_model；正弦位置编码的模长恰为 √(d_model/2)。"
       "不缩放时位置编码比词向量大 √(d_model/2) 倍（d_model=512 时 16 倍），缩放后二者同量级（比值约 √2）；"
       "若用 N(0,1) 初始化再乘 √d_model，模长约为 d_model，反过来把位置编码淹没。")

DIMS = np.array([64, 128, 256, 512, 1024, 2048, 4096])
VOCAB = 1000  # rows sampled per d_model (enough for a tight mean)
POSITIONS = 512


def sinusoidal_pe(n_pos: int, d: int) -> np.ndarray:
    """Paper §3.5, interleaved: PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(same)."""
    pos = np.arange(n_pos)[:, None]
    i = np.arange(d // 2)[None, :]
    angle = pos / 10000.0 ** (2 * i / d)
    pe = np.empty((n_pos, d))
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle)
    return pe


@functools.lru_cache(maxsize=None)
def compute():
    g = rng(8)
    before, after, pe_norm, unit = [], [], [], []
    for d in DIMS:
        emb = g.normal(0.0, d ** -0.5, size=(VOCAB, d))
        norms = np.linalg.norm(emb, axis=1)
        before.append(norms.mean())
        after.append((norms * np.sqrt(d)).mean())
        unit.append((np.linalg.norm(g.standard_normal((200, d)), axis=1) * np.sqrt(d)).mean())
        pn = np.linalg.norm(sinusoidal_pe(POSITIONS, int(d)), axis=1)
        # Exact: every position's PE has norm √(d/2).
        assert np.allclose(pn, np.sqrt(d / 2), rtol=0, atol=1e-9), (d, pn.min(), pn.max())
        pe_norm.append(pn[0])
    before, after, pe_norm, unit = map(np.array, (before, after, pe_norm, unit))
    assert np.all(np.abs(before - 1) < 0.02), before
    assert np.all(np.abs(after / np.sqrt(DIMS) - 1) < 0.02), after / np.sqrt(DIMS)
    assert np.all(np.abs(after / pe_norm - np.sqrt(2)) < 0.05), after / pe_norm
    i512 = list(DIMS).index(512)
    assert abs(pe_norm[i512] / before[i512] - 16) < 0.4, pe_norm[i512] / before[i512]
    assert np.all(np.abs(unit / DIMS - 1) < 0.03), unit / DIMS
    assert abs(unit[i512] / pe_norm[i512] - 32) < 1, unit[i512] / pe_norm[i512]
    # GPT-2 init, d_model = 768 (expected norm of an N(0, σ²) vector ≈ σ√d for large d).
    assert abs(0.02 * np.sqrt(768) - 0.554) < 1e-3 and abs(0.01 * np.sqrt(768) - 0.277) < 1e-3
    return before, after, pe_norm, unit


def make(theme):
    import matplotlib.pyplot as plt

    before, after, pe_norm, unit = compute()
    fig, ax = plt.subplots(figsize=(6.8, 4.2))
    ax.plot(DIMS, unit, "d:", color=theme.palette[3], label="错误复现：N(0,1) 初始化再 × √d_model（≈ d_model）")
    ax.plot(DIMS, after, "o-", color=theme.palette[0], label="词向量 × √d_model（模长 ≈ √d_model）")
    ax.plot(DIMS, pe_norm, "s--", color=theme.palette[2], label="正弦位置编码（模长 = √(d_model/2)）")
    ax.plot(DIMS, before, "^-", color=theme.palette[1], label="词向量，不乘（模长 ≈ 1）")
    i = list(DIMS).index(512)
    ax.annotate("d_model = 512：PE 是未缩放词向量的 16 倍",
                xy=(512, pe_norm[i]), xytext=(60, 40), fontsize=8, color=theme.fg,
                arrowprops=dict(arrowstyle="->", color=theme.muted, lw=0.8))
    ax.set_xscale("log", base=2)
    ax.set_xticks(DIMS, [str(d) for d in DIMS])
    ax.minorticks_off()
    ax.set_yscale("log", base=2)
    yt = [1, 4, 16, 64, 256, 1024, 4096]
    ax.set_yticks(yt, [str(v) for v in yt])
    ax.set_xlabel("d_model")
    ax.set_ylabel("向量模长 ‖·‖（对数坐标）")
    ax.set_title(f"词向量按 N(0, 1/d_model) 初始化，每个 d_model 取 {VOCAB} 行；PE 取 {POSITIONS} 个位置",
                 fontsize=8.5)
    ax.grid(True, which="major", alpha=0.6)
    ax.legend(fontsize=7.5, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=2)
    fig.tight_layout()
    return fig
