"""Q6 图 1：一个全宽单头、h 个降维头、h 个不降维头的参数量与 FLOPs（闭式公式计算）。

Closed forms for one attention layer (biases ignored), input X ∈ R^{n × d_model}, h heads of width d_k = d_v:
  params = 3 · d_model · (h·d_k)          (W^Q, W^K, W^V of all heads)
         + (h·d_v) · d_model              (W^O)
  FLOPs  = 2 · n · d_model · 3·h·d_k      (projections)
         + 2 · n² · h·d_k                 (Q Kᵀ for all heads)
         + 2 · n² · h·d_v                 (weights × V)
         + 2 · n · h·d_v · d_model        (output projection)
(one multiply-add = 2 FLOPs; softmax and scaling are O(h·n²) and left out).
Claims (checked below), with the base model d_model = 512, h = 8, n = 512:
* one full-width head (d_k = 512) and 8 reduced heads (d_k = 64) have EXACTLY the same parameters and FLOPs;
* 8 unreduced heads (d_k = 512 each) multiply both by exactly 8.
"""
import functools

import numpy as np

ALT = ("分组柱状图：以一个全宽单头为 1，8 个 64 维的降维头的参数量和 FLOPs 都恰好是 1 倍（与单头相同），"
       "8 个不降维的 512 维头则都是 8 倍；d_model = 512，n = 512。")

D_MODEL, H, N = 512, 8, 512
CONFIGS = (("1 个全宽头\nd_k = 512", 1, 512),
           ("8 个降维头\nd_k = 64", H, D_MODEL // H),
           ("8 个不降维头\nd_k = 512", H, D_MODEL))


def params(h, dk, d_model=D_MODEL):
    return 3 * d_model * h * dk + h * dk * d_model


def flops(h, dk, n=N, d_model=D_MODEL):
    return 2 * n * d_model * 3 * h * dk + 2 * n * n * h * dk + 2 * n * n * h * dk + 2 * n * h * dk * d_model


@functools.lru_cache(maxsize=None)
def compute():
    p = np.array([params(h, dk) for _, h, dk in CONFIGS], dtype=float)
    f = np.array([flops(h, dk) for _, h, dk in CONFIGS], dtype=float)
    assert p[0] == p[1] == 4 * D_MODEL**2 == 1_048_576
    assert f[0] == f[1]
    assert p[2] == H * p[0] and f[2] == H * f[0]
    # the closed form agrees with counting the weight matrices of 8 reduced heads one by one
    w_shapes = [(D_MODEL, D_MODEL // H)] * (3 * H) + [(H * (D_MODEL // H), D_MODEL)]
    assert sum(a * b for a, b in w_shapes) == p[1]
    return p, f


def make(theme):
    import matplotlib.pyplot as plt

    p, f = compute()
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    x = np.arange(len(CONFIGS))
    w = 0.36
    bp = ax.bar(x - w / 2, p / p[0], w, color=theme.palette[0], label="参数量（W^Q, W^K, W^V, W^O）")
    bf = ax.bar(x + w / 2, f / f[0], w, color=theme.palette[1], label=f"FLOPs（n = {N}）")
    for bars, vals in ((bp, p), (bf, f)):
        for b, v in zip(bars, vals):
            txt = f"{v / 1e6:.2f}M" if v < 1e9 else f"{v / 1e9:.2f}G"
            ax.text(b.get_x() + b.get_width() / 2, b.get_height() + 0.15, txt, ha="center", fontsize=8,
                    color=theme.fg)
    ax.set_xticks(x)
    ax.set_xticklabels([c[0] for c in CONFIGS], fontsize=9)
    ax.set_ylabel("相对于 1 个全宽头的倍数")
    ax.set_ylim(0, 9.5)
    ax.set_title(f"一层注意力，d_model = {D_MODEL}（不计偏置）", fontsize=9)
    ax.grid(True, axis="y", alpha=0.6)
    ax.legend(fontsize=8, frameon=True, loc="upper left")
    return fig
