"""Q12 图 1：BatchNorm 和 LayerNorm 在一个 B×n×d 的带 padding 的 batch 上各对哪些数求统计量，以及 PAD 对 BN 均值的影响。

Left: which cells share one statistic. BN: for each feature k, one mean/variance over all B·n token vectors of the
batch (pads included unless explicitly masked). LN: for each token vector, one mean/variance over its own d features.
Right: a fixed set of B = 16 sentences (real lengths 5..40, token features drawn with mean 1 in feature k) is padded
to a common length n from 40 to 160 with zero vectors (PAD embeddings are commonly zero vectors, e.g. a padding
index). Claims (checked below):
* BN's batch mean of feature k with pads counted equals the real-token mean times N_real / (B·n) (exact identity
  for zero pads), so it falls as n grows even though no real token changed; with pads excluded it is constant;
* LayerNorm's output for any real token is identical for every n (it never looks at other tokens);
* with training-mode batch statistics, BN's output at position 0 changes when only the LAST token of the
  sentence changes (BN mixes positions, so in a decoder it leaks future tokens); LN's output does not change.
"""
import functools

import numpy as np

from _common import rng

ALT = ("左图：BN 对每个特征在整个 batch 的 B×n 个 token（含 PAD）上求一个均值和方差，LN 对每个 token 在自己的 d 个特征上求统计量。"
       "右图：同一批句子补 PAD 补得越长，BN 算出的均值越小（等于真实均值乘以真实 token 占比），排除 PAD 后不变；LN 的输出完全不变。")

B, D, K = 16, 32, 0
NS = np.arange(40, 161, 10)


def layer_norm(x, eps=1e-6):
    return (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps)


@functools.lru_cache(maxsize=None)
def compute():
    g = rng(12)
    lengths = g.integers(5, 41, size=B)
    lengths[0] = 40
    feats = [g.standard_normal((L, D)) + 1.0 for L in lengths]  # mean 1 in every feature
    n_real = lengths.sum()
    mean_real = np.concatenate(feats)[:, K].mean()
    with_pad, without_pad, ln_max_change = [], [], 0.0
    ln_ref = layer_norm(feats[3])
    for n in NS:
        x = np.zeros((B, n, D))
        keep = np.zeros((B, n), dtype=bool)
        for b, f in enumerate(feats):
            x[b, : len(f)] = f
            keep[b, : len(f)] = True
        m_all = x[..., K].mean()                     # BN statistic, pads counted
        m_real = x[..., K][keep].mean()              # BN statistic, pads masked out
        assert np.isclose(m_all, mean_real * n_real / (B * n), rtol=1e-12)
        assert np.isclose(m_real, mean_real, rtol=1e-12)
        with_pad.append(m_all)
        without_pad.append(m_real)
        ln_max_change = max(ln_max_change, np.abs(layer_norm(x)[3, : lengths[3]] - ln_ref).max())
    with_pad = np.array(with_pad)
    assert ln_max_change == 0.0
    # BN mixes positions: changing a later token moves the normalised value of an earlier one.
    x = g.standard_normal((4, 10, D))
    x2 = x.copy()
    x2[0, -1] = g.standard_normal(D) * 3

    def bn(t):
        return (t - t.mean((0, 1))) / np.sqrt(t.var((0, 1)) + 1e-6)

    assert np.abs(bn(x2)[0, 0] - bn(x)[0, 0]).max() > 1e-3
    assert np.array_equal(layer_norm(x2)[0, :-1], layer_norm(x)[0, :-1])
    assert with_pad[0] / with_pad[-1] > 3.5  # 160/40 = 4: four times more pads -> mean shrinks ~4x
    return lengths, n_real, mean_real, with_pad, np.array(without_pad)


def make(theme):
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    lengths, n_real, mean_real, with_pad, without_pad = compute()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7.6, 3.6), gridspec_kw={"width_ratios": [1.05, 1]})

    # Left: two B×n grids (B = 4 sentences shown, n = 8), each cell is one token vector of d features.
    lens, n_show = [8, 6, 4, 3], 8
    a1.set_xlim(-0.5, 2 * n_show + 2.5)
    a1.set_ylim(-2.2, 4.6)
    a1.axis("off")
    for off, title in ((0, "BN：特征 k 的统计量\n覆盖整块 B×n（含 PAD）"), (n_show + 2, "LN：每个 token\n在自己的 d 维上")):
        for r, L in enumerate(lens):
            for c in range(n_show):
                pad = c >= L
                ax_x, ax_y = off + c, 3 - r
                if off == 0:
                    fc = theme.palette[1] if not pad else theme.palette[1]
                    alpha = 0.75 if not pad else 0.3
                else:
                    fc = theme.palette[0] if (r == 1 and c == 2) else theme.grid
                    alpha = 0.9 if (r == 1 and c == 2) else 0.5
                a1.add_patch(Rectangle((ax_x, ax_y), 0.9, 0.9, fc=fc, alpha=alpha, ec=theme.fg if pad else "none",
                                       lw=0.6, ls=":" if pad else "-"))
                if pad:
                    a1.text(ax_x + 0.45, ax_y + 0.45, "P", ha="center", va="center", fontsize=8, color=theme.fg)
        a1.text(off + n_show / 2, 4.15, title, ha="center", va="bottom", fontsize=8, color=theme.fg)
        a1.annotate("", (off + n_show - 0.1, -0.35), (off, -0.35),
                    arrowprops=dict(arrowstyle="<->", color=theme.muted, lw=0.8))
        a1.text(off + n_show / 2, -0.75, "位置 n", ha="center", va="top", fontsize=8, color=theme.muted)
    a1.text(-0.45, 2, "句子 B", rotation=90, ha="right", va="center", fontsize=8, color=theme.muted)
    a1.text(n_show + 1, -1.7, "每格 = 一个 d 维 token 向量，P = PAD", ha="center", fontsize=8, color=theme.muted)

    a2.plot(NS, without_pad, "s-", color=theme.palette[0], label="BN 均值，排除 PAD")
    a2.plot(NS, with_pad, "o-", color=theme.palette[1], label="BN 均值，PAD 计入")
    a2.plot(NS, mean_real * n_real / (B * NS), ":", color=theme.fg, lw=1.2, label="真实均值 × N_real / (B·n)")
    a2.set_xlabel("补齐后的长度 n（句子本身不变）")
    a2.set_ylabel(f"特征 k 的 batch 均值")
    a2.set_ylim(0, 1.25)
    a2.set_title(f"B = {B} 句，真实 token 共 {n_real} 个；LN 输出不变", fontsize=9)
    a2.grid(True, alpha=0.4)
    a2.legend(fontsize=8, loc="center right")
    fig.tight_layout()
    return fig
