"""Q11 图 1：一个带 padding 的 batch 里，三种注意力各自用什么 mask。

Batch of B = 2 translation pairs, padded to n_src = 6 source tokens and n_tgt = 5 decoder-input tokens.
The figure shows the masks of the second (padded) pair; the script builds them for the whole batch by
broadcasting from the two length vectors, exactly as one would in a framework:
* encoder self-attention:   key-padding mask,  shape B×1×1×n_src  -> broadcast to B×h×n_src×n_src
* decoder self-attention:   causal AND key-padding, B×1×n_tgt×n_tgt
* encoder-decoder (cross):  key-padding mask on the ENCODER keys, B×1×1×n_src -> B×h×n_tgt×n_src
Claims (checked below): after adding −∞ at masked entries, softmax gives exactly 0 weight there, every row
still sums to 1 and no row is fully masked (no NaN); the decoder mask is lower-triangular; decoder inputs are
the targets shifted right by one (teacher forcing).
"""
import functools

import numpy as np

from _common import rng, softmax

ALT = ("三个小矩阵：Encoder 自注意力 mask 只屏蔽源句 padding 所在的列；Decoder 自注意力 mask 是下三角（因果）"
       "再屏蔽目标端 padding 列；交叉注意力 mask 的行是 Decoder 位置、列是 Encoder 位置，只屏蔽源句 padding 列。")

SRC = ["Ich", "trinke", "Tee", "</s>", "PAD", "PAD"]
TGT_OUT = ["I", "drink", "tea", "</s>", "PAD"]          # what the decoder must predict
TGT_IN = ["<s>", "I", "drink", "tea", "PAD"]           # shifted right: what the decoder reads
SRC_LEN = np.array([6, 4])                               # pair 0 fills the batch, pair 1 is padded
TGT_LEN = np.array([5, 4])
H = 2


@functools.lru_cache(maxsize=None)
def compute():
    b, ns, nt = len(SRC_LEN), len(SRC), len(TGT_IN)
    src_keep = np.arange(ns)[None, :] < SRC_LEN[:, None]                      # B×n_src
    tgt_keep = np.arange(nt)[None, :] < TGT_LEN[:, None]                      # B×n_tgt
    causal = np.tril(np.ones((nt, nt), dtype=bool))                           # n_tgt×n_tgt
    enc_mask = src_keep[:, None, None, :]                                     # B×1×1×n_src
    dec_mask = causal[None, None] & tgt_keep[:, None, None, :]                # B×1×n_tgt×n_tgt
    crs_mask = src_keep[:, None, None, :]                                     # B×1×1×n_src
    g = rng(11)
    for mask, nq, nk in ((enc_mask, ns, ns), (dec_mask, nt, nt), (crs_mask, nt, ns)):
        scores = g.standard_normal((b, H, nq, nk))
        p = softmax(np.where(mask, scores, -np.inf))
        full = np.broadcast_to(mask, p.shape)
        assert not np.isnan(p).any()
        assert np.all(p[~full] == 0.0)
        assert np.allclose(p.sum(-1), 1.0)
    assert np.array_equal(dec_mask[1, 0], np.tril(dec_mask[1, 0]))
    n_real = TGT_LEN[1]
    assert TGT_IN[0] == "<s>" and TGT_IN[1:n_real] == TGT_OUT[:n_real - 1]  # input t+1 = target t
    assert "</s>" not in TGT_IN[:n_real]  # the end token is only ever a target, never fed in
    return (np.broadcast_to(enc_mask[1, 0], (ns, ns)), dec_mask[1, 0], np.broadcast_to(crs_mask[1, 0], (nt, ns)))


def make(theme):
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    enc, dec, crs = compute()
    cmap = ListedColormap([theme.grid, theme.palette[0]])
    fig, axes = plt.subplots(1, 3, figsize=(7.6, 3.4), gridspec_kw={"width_ratios": [6, 5, 6]})
    panels = (
        (enc, SRC, SRC, "Encoder 自注意力\npadding mask"),
        (dec, TGT_IN, TGT_IN, "Decoder 自注意力\n因果 mask ∧ padding mask"),
        (crs, TGT_IN, SRC, "交叉注意力\n（只屏蔽源句 padding）"),
    )
    for ax, (m, rows, cols, title) in zip(axes, panels):
        ax.imshow(m.astype(int), cmap=cmap, vmin=0, vmax=1)
        ax.set_xticks(range(len(cols)), cols, rotation=90, fontsize=8)
        ax.set_yticks(range(len(rows)), rows, fontsize=8)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("key", fontsize=8)
        ax.tick_params(length=0)
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                ax.text(j, i, "1" if m[i, j] else "0", ha="center", va="center", fontsize=8,
                        color=theme.bg if m[i, j] else theme.muted)
    axes[0].set_ylabel("query", fontsize=8)
    fig.text(0.5, 0.01, "Decoder 输入（目标右移一位）：<s> I drink tea PAD　　→　预测目标：I drink tea </s> PAD",
             ha="center", fontsize=8, color=theme.fg)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig
