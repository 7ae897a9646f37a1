"""Q2 图 1：共享投影得到对称的 Gram 矩阵，但对角线不一定是每行最大；独立投影得到一般的（非对称）分数矩阵。

Claims (checked below):
* smallest counterexample (n = 2 tokens, d = d_k = 1, W = 1): x = (1, 2) gives S = [[1, 2], [2, 4]];
  token 1 scores token 2 (2) higher than itself (1);
* 6 tokens, d_model = 8, d_k = 4, shared W: S = X W Wᵀ Xᵀ is symmetric, positive semidefinite, of rank ≤ d_k,
  obeys s_ij ≤ √(s_ii s_jj), and yet in at least 2 rows the maximum is off the diagonal; the row of the token with
  the largest s_ii always has its maximum on the diagonal;
* separate W^Q, W^K: S = X W^Q W^Kᵀ Xᵀ is clearly asymmetric (max |S − Sᵀ| > 20 % of max |S|).
"""
import functools

import numpy as np

from _common import rng

ALT = ("三幅热力图：左为最小反例，两个一维 token x = 1、x = 2 在共享投影下的分数矩阵（1, 2；2, 4），"
       "第 1 行最大值不在对角线上；中为 6 个 token 在共享 W^Q = W^K 下的分数矩阵，左右对称，但圆点标出的行最大值有几行不在对角线上；"
       "右为独立 W^Q、W^K 下的分数矩阵，不对称，行最大值位置与对角线无关。")

N, D_MODEL, D_K = 6, 8, 4


@functools.lru_cache(maxsize=None)
def compute():
    # smallest counterexample
    x_min = np.array([[1.0], [2.0]])
    s_min = x_min @ x_min.T
    assert s_min[0, 1] > s_min[0, 0] and s_min.argmax(1)[0] == 1

    g = rng(5)
    common = g.standard_normal(D_MODEL)
    norms = np.array([0.6, 0.8, 1.0, 1.3, 1.7, 2.2])
    x = norms[:, None] * (common + 0.7 * g.standard_normal((N, D_MODEL))) / np.sqrt(D_MODEL)
    w = g.standard_normal((D_MODEL, D_K))
    wq, wk = g.standard_normal((2, D_MODEL, D_K))
    shared = (x @ w) @ (x @ w).T
    sep = (x @ wq) @ (x @ wk).T

    assert np.allclose(shared, shared.T)
    eig = np.linalg.eigvalsh(shared)
    assert eig.min() > -1e-9 * eig.max()
    assert np.sum(eig > 1e-9 * eig.max()) <= D_K
    diag = np.diag(shared)
    assert np.all(shared <= np.sqrt(np.outer(diag, diag)) + 1e-9)
    off = shared.argmax(1) != np.arange(N)
    assert off.sum() >= 2, shared.argmax(1)
    assert shared.argmax(1)[diag.argmax()] == diag.argmax()
    assert np.abs(sep - sep.T).max() > 0.2 * np.abs(sep).max()
    return s_min, shared, sep


def heat(ax, s, title, theme, annotate=False):
    im = ax.imshow(s, cmap="viridis")
    n = s.shape[0]
    am = s.argmax(1)
    ax.scatter(am, np.arange(n), s=60 if n > 2 else 160, facecolors="none", edgecolors=theme.palette[5],
               linewidths=2, zorder=3)
    ax.plot([-0.5, n - 0.5], [-0.5, n - 0.5], ls=":", color=theme.muted, lw=1)
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xticklabels([str(i + 1) for i in range(n)], fontsize=8)
    ax.set_yticklabels([str(i + 1) for i in range(n)], fontsize=8)
    ax.set_xlabel("key 位置 j", fontsize=9)
    ax.set_ylabel("query 位置 i", fontsize=9)
    ax.set_title(title, fontsize=9)
    if annotate:
        for i in range(n):
            for j in range(n):
                ax.text(j + 0.28, i - 0.28, f"{s[i, j]:g}", ha="center", va="center", fontsize=10,
                        color=theme.fg, bbox=dict(boxstyle="round,pad=0.2", fc=theme.bg, ec="none", alpha=0.85))
    return im


def make(theme):
    import matplotlib.pyplot as plt

    s_min, shared, sep = compute()
    fig, axes = plt.subplots(1, 3, figsize=(7.6, 3.0), gridspec_kw={"width_ratios": [0.7, 1, 1]})
    heat(axes[0], s_min, "最小反例：x = 1, 2", theme, annotate=True)
    heat(axes[1], shared, "共享 W：对称", theme)
    heat(axes[2], sep, "独立 W^Q、W^K：不对称", theme)
    fig.text(0.5, 0.01, "圆圈 = 每行（每个 query）的最大分数所在列；虚线 = 对角线（自己）", ha="center", fontsize=8,
             color=theme.muted)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig
