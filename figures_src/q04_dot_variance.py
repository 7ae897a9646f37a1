"""Q4 图 1：q·k 的方差随 d_k 线性增长；除以 √d_k 后回到 1。

Claim (checked below): for q, k with i.i.d. components of mean 0 and variance 1,
Var(q·k) = d_k, and Var(q·k / √d_k) = 1, for every d_k.
"""
import functools

import numpy as np

from _common import rng

ALT = "对数坐标图：随 d_k 从 4 增到 1024，未缩放点积 q·k 的经验方差沿直线 Var = d_k 增长，除以 √d_k 后的方差始终约为 1。"

DIMS = np.array([4, 8, 16, 32, 64, 128, 256, 512, 1024])
SAMPLES = 20000


@functools.lru_cache(maxsize=None)
def compute():
    g = rng(4)
    raw, scaled = [], []
    for d in DIMS:
        q = g.standard_normal((SAMPLES, d))
        k = g.standard_normal((SAMPLES, d))
        s = np.einsum("nd,nd->n", q, k)
        raw.append(s.var())
        scaled.append((s / np.sqrt(d)).var())
    raw, scaled = np.array(raw), np.array(scaled)
    # The claim the figure shows: Var(q·k) ≈ d_k and Var(q·k/√d_k) ≈ 1 (within sampling error, 20k samples).
    assert np.all(np.abs(raw / DIMS - 1) < 0.05), raw / DIMS
    assert np.all(np.abs(scaled - 1) < 0.05), scaled
    return raw, scaled


def make(theme):
    import matplotlib.pyplot as plt

    raw, scaled = compute()
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    ax.plot(DIMS, DIMS, "--", color=theme.muted, lw=1.2, label="理论值 Var = d_k")
    ax.plot(DIMS, raw, "o-", color=theme.palette[1], label="未缩放：Var(q·k)")
    ax.plot(DIMS, scaled, "s-", color=theme.palette[0], label="缩放后：Var(q·k / √d_k)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_xlabel("维度 d_k")
    ax.set_ylabel("方差（对数坐标）")
    ax.set_title(f"每个 d_k 取 {SAMPLES} 组随机 q、k（分量独立，均值 0，方差 1）", fontsize=9)
    ax.grid(True, which="major", alpha=0.6)
    ax.legend(frameon=True, fontsize=9)
    return fig
