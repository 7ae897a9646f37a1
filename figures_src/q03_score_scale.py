"""Q3 图 2：随维度 d 增大，点积分数的尺度按 √d 增长，加性分数的尺度不随 d 自动增长。

Setup: q, k have i.i.d. N(0, 1) components in dimension d (as in the paper's footnote 4).
* dot product s = q·k: std(s) = √d (checked within 8 %, sampling error); scaled s/√d has std 1;
* additive s = vᵀ tanh(q W₁ + k W₂) with the usual fan-in initialisation W ~ N(0, 1/d), v ~ N(0, 1/d_a),
  d_a = d: every term of the sum is bounded because tanh ∈ (-1, 1), so |s| ≤ ‖v‖₁ always (checked for
  every sample), and the empirical std stays within a factor 2 over the whole range of d (checked).
"""
import functools

import numpy as np

from _common import rng

ALT = ("对数坐标图：维度 d 从 4 增到 512 时，未缩放点积分数的标准差沿 √d 直线增长（d = 512 时约 22.6），"
       "除以 √d 后保持为 1；加性打分（投影按 1/√d 初始化）的标准差始终在 1 以下基本不变，且 tanh 使其绝对值不超过 ‖v‖₁。")

DIMS = np.array([4, 8, 16, 32, 64, 128, 256, 512])
SAMPLES = 4000      # pairs for the dot product (cheap)
SAMPLES_ADD = 600   # pairs for the additive score (needs two d × d projections per pair)


@functools.lru_cache(maxsize=None)
def compute():
    g = rng(13)
    std_dot, std_scaled, std_add, max_ratio = [], [], [], []
    for d in DIMS:
        q = g.standard_normal((SAMPLES, d))
        k = g.standard_normal((SAMPLES, d))
        s_dot = np.einsum("nd,nd->n", q, k)
        w1 = g.standard_normal((d, d)) / np.sqrt(d)
        w2 = g.standard_normal((d, d)) / np.sqrt(d)
        v = g.standard_normal(d) / np.sqrt(d)
        qa, ka = q[:SAMPLES_ADD], k[:SAMPLES_ADD]
        s_add = np.tanh(qa @ w1 + ka @ w2) @ v
        std_dot.append(s_dot.std())
        std_scaled.append((s_dot / np.sqrt(d)).std())
        std_add.append(s_add.std())
        max_ratio.append(np.abs(s_add).max() / np.abs(v).sum())
    std_dot, std_scaled, std_add = map(np.array, (std_dot, std_scaled, std_add))
    assert np.all(np.abs(std_dot / np.sqrt(DIMS) - 1) < 0.08), std_dot / np.sqrt(DIMS)
    assert np.all(np.abs(std_scaled - 1) < 0.08), std_scaled
    assert max(max_ratio) < 1, max_ratio            # |s| ≤ ‖v‖₁ for every sample
    assert std_add.max() / std_add.min() < 2, std_add  # additive scale does not grow with d
    return std_dot, std_scaled, std_add


def make(theme):
    import matplotlib.pyplot as plt

    std_dot, std_scaled, std_add = compute()
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    ax.plot(DIMS, np.sqrt(DIMS), "--", color=theme.muted, lw=1.2, label="理论值 √d")
    ax.plot(DIMS, std_dot, "o-", color=theme.palette[1], label="点积 q·k（未缩放）")
    ax.plot(DIMS, std_scaled, "s-", color=theme.palette[0], label="缩放点积 q·k / √d")
    ax.plot(DIMS, std_add, "^-", color=theme.palette[2], label="加性 vᵀ tanh(qW₁ + kW₂)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_xlabel("维度 d（加性打分取 d_a = d）")
    ax.set_ylabel("分数的标准差（对数坐标）")
    ax.set_title(f"q、k 分量独立，均值 0，方差 1；点积取 {SAMPLES} 组，加性取 {SAMPLES_ADD} 组", fontsize=9)
    ax.grid(True, which="major", alpha=0.6)
    ax.legend(frameon=True, fontsize=9)
    return fig
