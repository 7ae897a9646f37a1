"""Q5 图 1：同一句话（4 个真实 token + 2 个 padding）的注意力权重：不加 mask、正确的 key mask、错误的“填 0”mask。

Claims (checked below):
* with a correct key mask (scores of padded KEY columns set to -inf before softmax) the padded columns get
  weight exactly 0 and every row still sums to 1;
* without a mask the real queries give the padded keys clearly positive weight;
* "filling the masked scores with 0" is not a mask: exp(0) = 1, so padded keys still get weight
  (checked: > 5 % of the row in total for every real query).
Padded QUERY rows are left as they are: their outputs are ignored by the loss (see the page).
"""
import functools

import numpy as np

from _common import rng, softmax

ALT = ("三幅 6×6 注意力权重热图，行是 query、列是 key，最后两个位置是 padding：不加 mask 时 padding 列有明显权重；"
       "正确的 key mask 把 padding 两列的权重变成 0；把分数填 0 的错误做法仍给 padding 列留下可观权重。")

N_REAL, N_PAD, D = 4, 2, 16
N = N_REAL + N_PAD


@functools.lru_cache(maxsize=None)
def compute():
    g = rng(5)
    x = g.standard_normal((N, D))
    x[N_REAL:] = g.standard_normal((N_PAD, D)) * 0.5 + 0.8   # pad embeddings: arbitrary, not "nothing"
    wq, wk = (g.standard_normal((D, D)) / np.sqrt(D) for _ in range(2))
    s = (x @ wq) @ (x @ wk).T / np.sqrt(D)
    key_is_pad = np.arange(N) >= N_REAL                      # mask lives on the KEY axis (columns)
    p_none = softmax(s)
    p_mask = softmax(np.where(key_is_pad[None, :], -np.inf, s))
    p_zero = softmax(np.where(key_is_pad[None, :], 0.0, s))   # the wrong "fill with 0" variant
    for p in (p_none, p_mask, p_zero):
        assert np.allclose(p.sum(axis=1), 1)
    assert np.all(p_mask[:, key_is_pad] == 0)
    assert np.all(p_none[:N_REAL, key_is_pad].sum(axis=1) > 0.05), p_none[:N_REAL, key_is_pad]
    assert np.all(p_zero[:N_REAL, key_is_pad].sum(axis=1) > 0.05), p_zero[:N_REAL, key_is_pad]
    return p_none, p_mask, p_zero


def make(theme):
    import matplotlib.pyplot as plt

    maps = compute()
    titles = ("不加 mask", "正确：pad 列置 -inf", "错误：pad 列分数填 0")
    labels = [f"t{i + 1}" for i in range(N_REAL)] + ["pad"] * N_PAD
    # text on the heatmap cells: dark on bright cells, light on dark cells, in both themes
    dark_text, light_text = (theme.bg, theme.fg) if theme.dark else (theme.fg, theme.bg)
    fig, axes = plt.subplots(1, 3, figsize=(7.6, 3.0))
    for ax, p, title in zip(axes, maps, titles):
        im = ax.imshow(p, cmap="viridis", vmin=0, vmax=1)
        ax.set_title(title, fontsize=9)
        ax.set_xticks(range(N))
        ax.set_xticklabels(labels, fontsize=8)
        ax.set_yticks(range(N))
        ax.set_yticklabels(labels, fontsize=8)
        ax.set_xlabel("key（被 mask 的轴）", fontsize=8)
        ax.axvline(N_REAL - 0.5, color=theme.fg, lw=1, ls="--")
        ax.axhline(N_REAL - 0.5, color=theme.muted, lw=0.8, ls=":")
        for i in range(N):
            for j in range(N):
                ax.text(j, i, f"{p[i, j]:.2f}".lstrip("0") if p[i, j] > 0 else "0", ha="center", va="center",
                        fontsize=8, color=dark_text if p[i, j] > 0.55 else light_text)
    axes[0].set_ylabel("query", fontsize=8)
    fig.colorbar(im, ax=axes, fraction=0.025, pad=0.02)
    return fig
