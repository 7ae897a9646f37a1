"""Q7 图 3：用闭式公式数参数，对照论文表 3 报告的参数量。

Closed forms (biases included), d = d_model, a = h·d_k (width of the Q/K projections, = d in the base model):
  MHA (self or cross)  2·d·a + 2·a + 2·d·(h·d_v) + (h·d_v) + d        (W_Q, W_K, W_V, W_O and biases)
                       = 4·d² + 4·d when h·d_k = h·d_v = d
  FFN                  2·d·d_ff + d_ff + d
  LayerNorm            2·d each; encoder layer has 2, decoder layer has 3
  embeddings           V·d, one matrix shared by encoder input, decoder input and pre-softmax projection (§3.4)

Paper values (Vaswani et al. 2017, Table 3, "params ×10⁶", rounded to integers, EN-DE, shared BPE vocabulary of
"about 37000 tokens", §5.1) are typed below as quoted numbers.
Claims (checked below):
* differences between rows, where the embedding term cancels, match the closed form to within 1 M
  (two roundings of ±0.5 M);
* absolute totals with V = 37000 are within 7 % of every reported value (within 4.2 M) (the exact vocabulary size and
  implementation details are not given in the paper, so the absolute match cannot be exact);
* solving each row for the vocabulary size V that reproduces its reported value within the ±0.5 M rounding:
  the ten non-"big" rows share a common interval (about 40.9k-41.2k, which excludes 37000), while the "big" row
  needs V of about 35.3k-36.3k, disjoint from it: no single V fits all rows, so the ~2 M gap of the d_model = 512
  rows is not just "a larger vocabulary" (biases + LayerNorm are only ~0.1 M; unshared embeddings would add
  18.9 M or 37.9 M).
"""
import functools

import numpy as np

ALT = ("左图：按闭式公式（词表取 37000）算出的参数量减去论文表 3 报告值，base、big 及改变 N、d_ff、d_model、d_k 的各行"
       "差距都在 −4.1M 到 +1.2M 之间（7% 以内），d_model = 512 的各行整体偏低约 2M；右图：base 模型参数分布，"
       "Encoder 18.9M、Decoder 25.2M、共享嵌入 18.9M。")

V = 37000
# name: (N, d_model, d_ff, h, d_k, d_v, reported params in millions)  -- quoted from Table 3
ROWS = {
    "base": (6, 512, 2048, 8, 64, 64, 65),
    "big": (6, 1024, 4096, 16, 64, 64, 213),
    "N=2": (2, 512, 2048, 8, 64, 64, 36),
    "N=4": (4, 512, 2048, 8, 64, 64, 50),
    "N=8": (8, 512, 2048, 8, 64, 64, 80),
    "d_model=256": (6, 256, 2048, 8, 32, 32, 28),
    "d_model=1024": (6, 1024, 2048, 8, 128, 128, 168),
    "d_ff=1024": (6, 512, 1024, 8, 64, 64, 53),
    "d_ff=4096": (6, 512, 4096, 8, 64, 64, 90),
    "d_k=16": (6, 512, 2048, 8, 16, 64, 58),
    "d_k=32": (6, 512, 2048, 8, 32, 64, 60),
}


def mha(d, h, dk, dv):
    return 2 * d * h * dk + 2 * h * dk + d * h * dv + h * dv + h * dv * d + d


def ffn(d, d_ff):
    return 2 * d * d_ff + d_ff + d


def parts(n_layers, d, d_ff, h, dk, dv):
    enc = n_layers * (mha(d, h, dk, dv) + ffn(d, d_ff) + 2 * 2 * d)
    dec = n_layers * (2 * mha(d, h, dk, dv) + ffn(d, d_ff) + 3 * 2 * d)
    return enc, dec, V * d


@functools.lru_cache(maxsize=None)
def compute():
    assert mha(512, 8, 64, 64) == 4 * 512**2 + 4 * 512 == 1_050_624
    assert ffn(512, 2048) == 2_099_712
    enc, dec, emb = parts(6, 512, 2048, 8, 64, 64)
    assert enc == 6 * 3_152_384 and dec == 6 * 4_204_032
    total = {k: sum(parts(*r[:6])) / 1e6 for k, r in ROWS.items()}
    reported = {k: r[6] for k, r in ROWS.items()}
    for k in ROWS:
        assert abs(total[k] / reported[k] - 1) < 0.07, (k, total[k], reported[k])
        if k != "base" and ROWS[k][1] == 512:  # same d_model: the embedding term V·d cancels in the difference
            assert abs((total[k] - total["base"]) - (reported[k] - reported["base"])) <= 1.0, k
    assert max(abs(total[k] - reported[k]) for k in ROWS) < 4.2
    # vocabulary size implied by each row (reported value is rounded to 1 M: ±0.5 M)
    v_lo, v_hi = {}, {}
    for k, r in ROWS.items():
        enc_k, dec_k, _ = parts(*r[:6])
        v_lo[k] = (r[6] - 0.5) * 1e6 / r[1] - (enc_k + dec_k) / r[1]
        v_hi[k] = (r[6] + 0.5) * 1e6 / r[1] - (enc_k + dec_k) / r[1]
    common_lo = max(v_lo[k] for k in ROWS if k != "big")
    common_hi = min(v_hi[k] for k in ROWS if k != "big")
    assert 40_800 < common_lo < common_hi < 41_300, (common_lo, common_hi)
    assert not common_lo <= V <= common_hi
    assert 35_200 < v_lo["big"] < v_hi["big"] < 36_400 and v_hi["big"] < common_lo
    # biases + LayerNorm of the whole base model: ~0.1 M, far too small to explain the gap
    n_small = 6 * (4 * 512 + 2048 + 512 + 2 * 2 * 512) + 6 * (8 * 512 + 2048 + 512 + 3 * 2 * 512)
    assert n_small == 98_304
    return total, reported, (enc, dec, emb)


def make(theme):
    import matplotlib.pyplot as plt

    total, reported, (enc, dec, emb) = compute()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7.6, 3.8), gridspec_kw={"width_ratios": [1.6, 1]})
    names = list(ROWS)[::-1]
    diff = np.array([total[k] - reported[k] for k in names])
    yy = np.arange(len(names))
    a1.barh(yy, diff, color=theme.palette[1], alpha=0.85, height=0.6)
    for y, k, dv in zip(yy, names, diff):
        a1.text(0.3 if dv < 0 else dv + 0.3, y, f"表 3：{reported[k]}M，公式：{total[k]:.1f}M",
                va="center", fontsize=8, color=theme.fg)
    a1.set_yticks(yy, names, fontsize=8)
    a1.axvline(0, color=theme.fg, lw=0.8)
    a1.set_xlim(-5, 9)
    a1.set_xlabel("公式 − 表 3（百万参数，V = 37000）")
    a1.grid(True, axis="x", alpha=0.4)

    labels = ["Encoder\n6 层", "Decoder\n6 层", "共享嵌入\nV·d_model"]
    vals = np.array([enc, dec, emb]) / 1e6
    colors = [theme.palette[0], theme.palette[2], theme.palette[4]]
    bars = a2.bar(labels, vals, color=colors, alpha=0.85)
    for b, v in zip(bars, vals):
        a2.text(b.get_x() + b.get_width() / 2, v + 0.4, f"{v:.1f}M", ha="center", fontsize=8, color=theme.fg)
    a2.set_ylabel("参数（百万）")
    a2.set_title(f"base 模型：合计 {vals.sum():.1f}M（表 3：65M）", fontsize=9)
    a2.set_ylim(0, vals.max() * 1.18)
    a2.grid(True, axis="y", alpha=0.4)
    fig.tight_layout()
    return fig
