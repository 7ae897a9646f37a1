"""Q11 图 2：因果 mask 的实验检验——改动位置 t 及之后的输入，位置 t 之前的输出一点都不变。

A tiny numpy decoder stack (2 Post-LN layers, d_model = 16, h = 2, d_ff = 64, n = 10 target positions,
cross-attention to a fixed encoder memory of 7 positions). We replace the decoder inputs at positions ≥ t = 5
with different random vectors and measure, per position, the largest absolute change of the final output.
Claims (checked below):
* with the causal mask, outputs at positions < t are bit-for-bit identical (max |change| = 0, asserted < 1e-12),
  and outputs at positions ≥ t change (> 1e-3);
* without the mask, the earlier positions change too (> 1e-3): the model would be reading the future.
"""
import functools

import numpy as np

from _common import rng, softmax

ALT = ("柱状图：把第 5 个位置及之后的 Decoder 输入换掉后，各位置最终输出的最大变化量。带因果 mask 时，"
       "位置 0–4 的变化严格为 0，位置 5–9 明显变化；不带 mask 时，所有位置都变了。")

D, H, DFF, N, NSRC, LAYERS, T = 16, 2, 64, 10, 7, 2, 5
DK = D // H


def ln(x, eps=1e-6):
    return (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps)


def mha(xq, xkv, w, mask):
    def split(t):
        return t.reshape(t.shape[0], H, DK).transpose(1, 0, 2)
    q, k, v = split(xq @ w["q"]), split(xkv @ w["k"]), split(xkv @ w["v"])
    s = q @ k.transpose(0, 2, 1) / np.sqrt(DK)
    if mask is not None:
        s = np.where(mask, s, -np.inf)
    o = softmax(s) @ v
    return o.transpose(1, 0, 2).reshape(xq.shape[0], D) @ w["o"]


def make_params(g):
    def att():
        return {c: g.standard_normal((D, D)) / np.sqrt(D) for c in "qkvo"}
    return [{"self": att(), "cross": att(), "w1": g.standard_normal((D, DFF)) / np.sqrt(D),
             "w2": g.standard_normal((DFF, D)) / np.sqrt(DFF)} for _ in range(LAYERS)]


def decoder(x, memory, params, causal=True):
    mask = np.tril(np.ones((len(x), len(x)), dtype=bool)) if causal else None
    for p in params:
        x = ln(x + mha(x, x, p["self"], mask))
        x = ln(x + mha(x, memory, p["cross"], None))
        x = ln(x + np.maximum(0, x @ p["w1"]) @ p["w2"])
    return x


@functools.lru_cache(maxsize=None)
def compute():
    g = rng(2017)
    params = make_params(g)
    memory = g.standard_normal((NSRC, D))
    x = g.standard_normal((N, D))
    x2 = x.copy()
    x2[T:] = g.standard_normal((N - T, D))
    out = {}
    for causal in (True, False):
        a, b = decoder(x, memory, params, causal), decoder(x2, memory, params, causal)
        out[causal] = np.abs(a - b).max(axis=1)
    masked, unmasked = out[True], out[False]
    assert masked[:T].max() < 1e-12, masked[:T]
    assert masked[T:].min() > 1e-3, masked[T:]
    assert unmasked[:T].min() > 1e-3, unmasked[:T]
    return masked, unmasked, float(masked[:T].max())


def make(theme):
    import matplotlib.pyplot as plt

    masked, unmasked, worst = compute()
    fig, ax = plt.subplots(figsize=(6.8, 3.6))
    pos = np.arange(N)
    w = 0.38
    ax.bar(pos - w / 2, masked, w, color=theme.palette[0], label="带因果 mask")
    ax.bar(pos + w / 2, unmasked, w, color=theme.palette[1], label="不带 mask")
    for i in range(T):
        ax.text(i - w / 2, 0.03, "0", ha="center", va="bottom", fontsize=8, color=theme.palette[0])
    ax.axvspan(T - 0.5, N - 0.5, color=theme.grid, alpha=0.45, lw=0, zorder=0)
    ax.text(T - 0.4, ax.get_ylim()[1] * 0.95, "输入被改动的位置 ≥ t = 5", fontsize=8, va="top", color=theme.fg)
    ax.set_xticks(pos)
    ax.set_xlabel("目标序列位置")
    ax.set_ylabel("输出的最大绝对变化")
    ax.set_title(f"2 层 Post-LN Decoder（numpy）：带 mask 时位置 0–4 的最大变化 = {worst:g}", fontsize=9)
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(True, axis="y", alpha=0.4)
    ax.set_xlim(-0.6, N - 0.4)
    return fig
