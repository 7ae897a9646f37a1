"""Q10 图 1：ALiBi 每个头的偏置矩阵（因果注意力，8 个头，序列长 24），以 e^bias 显示（softmax 前加 b 等于权重乘 e^b）。

Claims (checked below):
* for h heads (power of two) the slopes are the geometric sequence m_j = 2^(-8j/h), j = 1..h — for h = 8:
  1/2, 1/4, ..., 1/256 (Press et al. 2021, §3);
* the bias added to score(i, j) is -m·(i - j) for j ≤ i (future keys masked), so each row is the paper's
  m·[-(i-1), ..., -1, 0] and the bias depends only on i - j (Toeplitz: constant along diagonals).
"""
import functools

import numpy as np

ALT = ("2×4 个热力图：ALiBi 在 8 个头上的偏置 -m·(i-j)（因果，长度 24），画的是它在 softmax 里起的乘法作用 e^(-m·(i-j))。"
       "对角线为 1，越往左下（距离越远）越小；第 1 个头斜率 1/2，几个位置外就衰减到接近 0，"
       "第 8 个头斜率 1/256，在 24 个位置内几乎不衰减。上三角为被遮挡的未来位置。")

H, L = 8, 24


def alibi_slopes(h: int) -> np.ndarray:
    """Power-of-two case from the paper: start = ratio = 2^(-8/h)."""
    start = 2.0 ** (-8.0 / h)
    return start ** np.arange(1, h + 1)


@functools.lru_cache(maxsize=None)
def compute():
    m = alibi_slopes(H)
    assert np.allclose(m, [1 / 2 ** j for j in range(1, 9)], rtol=0, atol=1e-15)
    assert np.allclose(alibi_slopes(16)[:2], [2 ** -0.5, 2 ** -1.0])  # 16 heads start at 1/√2, ratio 1/√2
    i = np.arange(L)[:, None]
    j = np.arange(L)[None, :]
    dist = (i - j).astype(float)
    bias = -m[:, None, None] * dist[None]
    bias = np.where(j[None] <= i[None], bias, np.nan)  # causal mask: future keys removed
    for hh in range(H):
        for q in range(L):
            row = bias[hh, q, : q + 1]
            assert np.allclose(row, m[hh] * np.arange(-q, 1))  # m · [-(i-1), ..., -1, 0] (1-based i)
        # Toeplitz in the visible part: constant along each diagonal
        for off in range(L):
            diag = np.diagonal(bias[hh], offset=-off)
            assert np.allclose(diag, diag[0])
    return m, bias


def make(theme):
    import matplotlib.pyplot as plt

    m, bias = compute()
    fig, axes = plt.subplots(2, 4, figsize=(7.6, 4.2), sharex=True, sharey=True)
    for hh, ax in enumerate(axes.flat):
        # Page weight: interpolation="none" embeds the n×n matrix itself, not a picture resampled to the axes.
        im = ax.imshow(np.exp(bias[hh]), cmap="magma", vmin=0, vmax=1, interpolation="none")
        ax.set_title(f"头 {hh + 1}：m = 1/{2 ** (hh + 1)}", fontsize=8.5)
        ax.tick_params(labelsize=8)
    for ax in axes[1]:
        ax.set_xlabel("key 位置 j", fontsize=8)
    for ax in axes[:, 0]:
        ax.set_ylabel("query 位置 i", fontsize=8)
    cb = fig.colorbar(im, ax=axes, fraction=0.025, pad=0.02)
    cb.set_label("e^(-m·(i-j))：softmax 前的乘法衰减", fontsize=8)
    cb.ax.tick_params(labelsize=8)
    fig.suptitle("ALiBi：8 个头的斜率为几何级数 1/2, 1/4, …, 1/256；上三角（未来）被遮挡", fontsize=9)
    return fig
