"""Q7 图 1：一个 Encoder 层（Post-LN，论文原版）的结构图，每一步都标出张量形状。

Claims (checked below) with a tiny numpy encoder layer (B=2, n=5, d_model=16, h=4, d_ff=64):
* every intermediate tensor has the shape written in the diagram
  (Q/K/V per head B×h×n×d_k, scores B×h×n×n, concat B×n×d_model, FFN hidden B×n×d_ff, output B×n×d_model);
* the number of parameters equals the closed form
  4·d² + 4·d (MHA) + 2·d·d_ff + d_ff + d (FFN) + 2·2·d (two LayerNorms).
"""
import functools

import numpy as np

from _common import rng, softmax

ALT = ("Encoder 层结构图：输入 X（B×n×d_model）先经多头自注意力（Q、K、V 为 B×h×n×d_k，注意力分数 B×h×n×n），"
       "与输入相加后做 LayerNorm，再经逐位置 FFN（中间层 B×n×d_ff）、残差相加、LayerNorm，输出形状仍为 B×n×d_model。")

B, N, D, H, DFF = 2, 5, 16, 4, 64
DK = D // H


def layer_norm(x, g, b, eps=1e-6):
    mu = x.mean(-1, keepdims=True)
    var = x.var(-1, keepdims=True)
    return g * (x - mu) / np.sqrt(var + eps) + b


def param_count_closed_form(d, d_ff):
    return (4 * d * d + 4 * d) + (2 * d * d_ff + d_ff + d) + 2 * 2 * d


@functools.lru_cache(maxsize=None)
def compute():
    g = rng(7)
    p = {
        "WQ": g.standard_normal((D, D)) / np.sqrt(D), "bQ": np.zeros(D),
        "WK": g.standard_normal((D, D)) / np.sqrt(D), "bK": np.zeros(D),
        "WV": g.standard_normal((D, D)) / np.sqrt(D), "bV": np.zeros(D),
        "WO": g.standard_normal((D, D)) / np.sqrt(D), "bO": np.zeros(D),
        "W1": g.standard_normal((D, DFF)) / np.sqrt(D), "b1": np.zeros(DFF),
        "W2": g.standard_normal((DFF, D)) / np.sqrt(DFF), "b2": np.zeros(D),
        "g1": np.ones(D), "be1": np.zeros(D), "g2": np.ones(D), "be2": np.zeros(D),
    }
    x = g.standard_normal((B, N, D))
    shapes = {}

    def heads(t):  # B×n×d -> B×h×n×d_k
        return t.reshape(B, N, H, DK).transpose(0, 2, 1, 3)

    q, k, v = (heads(x @ p["W" + c] + p["b" + c]) for c in "QKV")
    shapes["qkv"] = q.shape
    scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(DK)
    shapes["scores"] = scores.shape
    att = softmax(scores) @ v
    concat = att.transpose(0, 2, 1, 3).reshape(B, N, D)
    shapes["concat"] = concat.shape
    y1 = layer_norm(x + concat @ p["WO"] + p["bO"], p["g1"], p["be1"])
    hidden = np.maximum(0, y1 @ p["W1"] + p["b1"])
    shapes["hidden"] = hidden.shape
    y2 = layer_norm(y1 + hidden @ p["W2"] + p["b2"], p["g2"], p["be2"])
    shapes["out"] = y2.shape

    assert shapes["qkv"] == (B, H, N, DK)
    assert shapes["scores"] == (B, H, N, N)
    assert shapes["concat"] == (B, N, D) and shapes["out"] == (B, N, D) == x.shape
    assert shapes["hidden"] == (B, N, DFF)
    n_params = sum(a.size for a in p.values())
    assert n_params == param_count_closed_form(D, DFF), (n_params, param_count_closed_form(D, DFF))
    # Post-LN: every position of the output has mean 0 and variance 1 over d_model (γ=1, β=0 here).
    assert np.allclose(y2.mean(-1), 0, atol=1e-12) and np.allclose(y2.var(-1), 1, atol=1e-4)
    return n_params


def make(theme):
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    compute()
    fig, ax = plt.subplots(figsize=(7.4, 4.2))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.axis("off")
    c_att, c_ffn, c_ln, c_io = theme.palette[0], theme.palette[2], theme.palette[4], theme.muted

    def box(x, y, w, h, text, color, fs=9):
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.02,rounding_size=0.15",
                                    fc=color, ec=color, alpha=0.18, lw=0))
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.02,rounding_size=0.15",
                                    fc="none", ec=color, lw=1.4))
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=fs, color=theme.fg)

    def arrow(x0, y0, x1, y1, color=None, style="-|>", conn="arc3"):
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle=style, mutation_scale=10,
                                     color=color or theme.fg, lw=1.2, connectionstyle=conn))

    def shape(x, y, text):
        ax.text(x, y, text, ha="left", va="center", fontsize=8, color=theme.muted)

    # Main column, bottom to top.
    cx, w = 1.2, 3.6
    box(cx, 0.2, w, 0.8, "输入 X（嵌入 + 位置编码）", c_io)
    shape(cx + w + 0.15, 0.6, "B × n × d_model")
    box(cx, 1.7, w, 1.5, "多头自注意力\nQ = XW_Q, K = XW_K, V = XW_V\nsoftmax(QKᵀ/√d_k + mask)·V", c_att, fs=8.5)
    shape(cx + w + 0.15, 2.95, "Q、K、V：B × h × n × d_k")
    shape(cx + w + 0.15, 2.45, "分数：B × h × n × n")
    shape(cx + w + 0.15, 1.95, "拼接后乘 W_O：B × n × d_model")
    box(cx, 3.8, w, 0.8, "残差相加 + LayerNorm", c_ln)
    shape(cx + w + 0.15, 4.2, "LN(X + MHA(X))：B × n × d_model")
    box(cx, 5.3, w, 1.5, "逐位置前馈网络 FFN\nmax(0, xW₁ + b₁)W₂ + b₂", c_ffn)
    shape(cx + w + 0.15, 6.35, "中间层：B × n × d_ff（2048）")
    shape(cx + w + 0.15, 5.75, "输出：B × n × d_model（512）")
    box(cx, 7.4, w, 0.8, "残差相加 + LayerNorm", c_ln)
    box(cx, 8.9, w, 0.8, "输出（送入下一层，共 N = 6 层）", c_io)
    shape(cx + w + 0.15, 9.3, "B × n × d_model，形状不变")

    mid = cx + w / 2
    for y0, y1 in ((1.0, 1.7), (3.2, 3.8), (4.6, 5.3), (6.8, 7.4), (8.2, 8.9)):
        arrow(mid, y0 + 0.05, mid, y1 - 0.05)
    # Residual branches on the left.
    for y0, y1 in ((1.35, 4.2), (4.95, 7.8)):
        ax.add_patch(FancyArrowPatch((cx - 0.02, y0), (cx - 0.02, y1), arrowstyle="-|>", mutation_scale=10,
                                     color=theme.palette[1], lw=1.4, connectionstyle="bar,fraction=-0.25"))
    ax.text(0.05, 2.75, "残差", color=theme.palette[1], fontsize=9, rotation=90, va="center")
    ax.text(0.05, 6.35, "残差", color=theme.palette[1], fontsize=9, rotation=90, va="center")
    ax.text(cx + w + 0.15, 7.8, "B：批大小；n：序列长度\n论文 base：h = 8，d_k = d_model / h = 64",
            ha="left", va="center", fontsize=8, color=theme.fg)
    return fig
