"""Q7 图 2：一个 Encoder 层的 FLOPs 随序列长度 n 怎么分配——线性层 vs 注意力的 n² 部分。

FLOPs are counted from the matrix-product shapes (a product of an m×k by a k×p matrix costs 2·m·k·p FLOPs),
per sequence, forward pass, ignoring softmax / LayerNorm / bias adds (all O(n·d) or O(h·n²), lower order).

Claims (checked below):
* the shape-by-shape count equals the closed forms: linear layers 8·n·d² + 4·n·d·d_ff (= 24·n·d² when
  d_ff = 4d), attention scores + weighted sum 4·n²·d;
* the two are equal exactly at n* = 2·d + d_ff, i.e. n* = 6·d = 3072 for the base model (d = 512, d_ff = 2048)
  and 6144 for the big model (d = 1024, d_ff = 4096); below n* the linear layers dominate.
"""
import functools

import numpy as np

ALT = ("折线图：横轴为序列长度 n（对数坐标），纵轴为注意力矩阵运算（QKᵀ 与 softmax·V）占一个 Encoder 层 FLOPs 的比例。"
       "base 模型（d_model=512）在 n = 3072 处达到 50%，big 模型（d_model=1024）在 n = 6144 处达到 50%；"
       "n 在 512 以内时，FLOPs 主要花在线性层。")

CONFIGS = {"base": (512, 2048, 8), "big": (1024, 4096, 16)}  # d_model, d_ff, h (paper, Table 3)
NS = np.unique(np.round(np.logspace(4, 15, 100, base=2)).astype(int))


def mm(m, k, p):
    return 2 * m * k * p


def layer_flops(n, d, d_ff, h):
    dk = d // h
    linear = 4 * mm(n, d, d) + mm(n, d, d_ff) + mm(n, d_ff, d)  # W_Q, W_K, W_V, W_O, W_1, W_2
    attn = h * (mm(n, dk, n) + mm(n, n, dk))  # QKᵀ and softmax(·)V, every head
    return linear, attn


@functools.lru_cache(maxsize=None)
def compute():
    out = {}
    for name, (d, d_ff, h) in CONFIGS.items():
        lin, att = layer_flops(NS.astype(np.int64), d, d_ff, h)
        assert np.array_equal(lin, 8 * NS * d * d + 4 * NS * d * d_ff)
        assert np.array_equal(att, 4 * NS * NS * d)
        n_star = 2 * d + d_ff
        l_star, a_star = layer_flops(n_star, d, d_ff, h)
        assert l_star == a_star and n_star == 6 * d  # d_ff = 4·d in both paper models
        l_below, a_below = layer_flops(n_star - 1, d, d_ff, h)
        assert a_below < l_below
        out[name] = (att / (att + lin), n_star)
    assert out["base"][1] == 3072 and out["big"][1] == 6144
    return out


def make(theme):
    import matplotlib.pyplot as plt

    res = compute()
    fig, ax = plt.subplots(figsize=(6.8, 3.8))
    for (name, (frac, n_star)), color in zip(res.items(), (theme.palette[0], theme.palette[1])):
        d = CONFIGS[name][0]
        ax.plot(NS, frac, color=color, lw=2, label=f"{name}：d_model = {d}，d_ff = {CONFIGS[name][1]}")
        ax.axvline(n_star, color=color, ls=":", lw=1.2)
        ax.annotate(f"n* = 2·d_model + d_ff = {n_star}", (n_star, 0.5), xytext=(6, -28 if name == "base" else 18),
                    textcoords="offset points", fontsize=8, color=color)
        ax.plot([n_star], [0.5], "o", color=color)
    ax.axhline(0.5, color=theme.muted, lw=0.8, ls="--")
    ax.axvspan(NS[0], 512, color=theme.grid, alpha=0.5, lw=0)
    ax.text(20, 0.9, "n ≤ 512：线性层占大头", fontsize=8, color=theme.fg, va="top")
    ax.set_xscale("log", base=2)
    ax.set_ylim(0, 1)
    ax.set_xlim(NS[0], NS[-1])
    ax.set_xlabel("序列长度 n（token）")
    ax.set_ylabel("注意力 n² 项占一层 FLOPs 的比例")
    ax.set_title("每层 FLOPs：线性层 8nd² + 4nd·d_ff，注意力 4n²d", fontsize=9)
    ax.grid(True, alpha=0.6)
    ax.legend(fontsize=8, loc="lower right")
    return fig
