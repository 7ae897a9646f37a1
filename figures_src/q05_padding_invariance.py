"""Q5 图 2：正确的 key mask 让真实 token 的输出与“不做 padding”时完全相同；不加 mask 或“填 0”则不同。

Setup: one self-attention head (d = 16) on a real sentence of L = 5 tokens; the same sentence padded with
p = 0 … 8 extra positions (arbitrary pad embeddings). For each p we compare the outputs of the 5 real
tokens with the outputs computed on the unpadded sentence.
Claims (checked below):
* correct mask (-inf on padded key columns): max |difference| < 1e-12 for every p (only rounding);
* no mask and the "fill with 0" mask: max |difference| > 1e-2 for every p ≥ 1, and growing with p;
* p = 0: all three coincide exactly.
"""
import functools

import numpy as np

from _common import rng, softmax

ALT = ("对数坐标折线图：横轴为补齐的 padding 个数 0 到 8，纵轴为真实 token 输出与不补齐时输出的最大差值；"
       "正确的 -inf key mask 始终在 1e-16 量级（只有舍入误差），不加 mask 和“填 0”的差值在 0.2 到 1 之间且大体随 padding 增多而变大。")

L, D = 5, 16
PADS = np.arange(0, 9)
FLOOR = 1e-17   # plotted instead of an exact 0 on the log axis


def attend(x, wq, wk, wv, key_is_pad, mode):
    s = (x @ wq) @ (x @ wk).T / np.sqrt(D)
    if mode == "mask":
        s = np.where(key_is_pad[None, :], -np.inf, s)
    elif mode == "zero":
        s = np.where(key_is_pad[None, :], 0.0, s)
    return softmax(s) @ (x @ wv)


@functools.lru_cache(maxsize=None)
def compute():
    g = rng(11)
    x = g.standard_normal((L, D))
    pad_vecs = g.standard_normal((PADS.max(), D)) * 0.5 + 0.5
    wq, wk, wv = (g.standard_normal((D, D)) / np.sqrt(D) for _ in range(3))
    ref = attend(x, wq, wk, wv, np.zeros(L, bool), "none")
    diffs = {m: [] for m in ("none", "zero", "mask")}
    for p in PADS:
        xp = np.vstack([x, pad_vecs[:p]])
        key_is_pad = np.arange(L + p) >= L
        for mode in diffs:
            out = attend(xp, wq, wk, wv, key_is_pad, mode)[:L]     # padded query rows are discarded
            diffs[mode].append(np.abs(out - ref).max())
    diffs = {m: np.array(v) for m, v in diffs.items()}
    assert np.all(diffs["mask"] < 1e-12), diffs["mask"]
    assert diffs["none"][0] == diffs["zero"][0] == diffs["mask"][0] == 0
    assert np.all(diffs["none"][1:] > 1e-2) and np.all(diffs["zero"][1:] > 1e-2), diffs
    assert diffs["none"][-1] > diffs["none"][1] and diffs["zero"][-1] > diffs["zero"][1]
    return diffs


def make(theme):
    import matplotlib.pyplot as plt

    diffs = compute()
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    styles = (("none", theme.palette[1], "o", "不加 mask"),
              ("zero", theme.palette[3], "^", "错误：pad 列分数填 0"),
              ("mask", theme.palette[0], "s", "正确：pad 列置 -inf"))
    for mode, color, marker, label in styles:
        ax.plot(PADS, np.maximum(diffs[mode], FLOOR), marker + "-", color=color, label=label)
    ax.set_yscale("log")
    ax.set_ylim(FLOOR / 3, 3)
    ax.axhline(np.finfo(np.float64).eps, ls=":", color=theme.muted, lw=1)
    ax.text(0.15, np.finfo(np.float64).eps * 8, "float64 机器精度 ε", color=theme.muted, fontsize=8, ha="left")
    ax.set_xlabel("补齐的 padding 个数 p（真实 token 固定为 5 个）")
    ax.set_ylabel("真实 token 输出的最大差值")
    ax.set_title("与不补齐时的输出比较（p = 0 时差值恰为 0，画在底部）", fontsize=9)
    ax.grid(True, alpha=0.6)
    ax.legend(fontsize=8, frameon=True, loc="center right")
    return fig
