"""Q12 图 2：初始化时残差流的大小随深度怎么变——Pre-LN 线性增长（范数 ~ √l），Post-LN 保持不变。

Simulation in the exact simplified setting of Xiong et al. 2020 (§3.3): single-head attention with W_Q = W_K = 0
(so attention is uniform: Attn(x)_i = mean_j x_j W_V), all matrices d×d with Xavier init N(0, 2/(d+d)) = N(0, 1/d),
zero biases, LayerNorm with γ = 1, β = 0, inputs x_0 ~ N(0, I_d). d = 128, n = 16 positions, 24 layers, 24 seeds.
  Post-LN layer:  u = LN(x + Attn(x));          x' = LN(u + FFN(u))        (x^{post,5} := u + FFN(u))
  Pre-LN layer:   u = x + Attn(LN(x));          x' = u + FFN(LN(u))
Their Lemma 2: Post-LN E‖x^{post,5}_l‖² = 1.5·d for all l; Pre-LN (1 + l/2)·d ≤ E‖x_l‖² ≤ (1 + 3l/2)·d.
Their Lemma 3: ‖J_LN(x)‖₂ = O(√d / ‖x‖₂), so the final LayerNorm scales gradients by ~ √d/‖input‖.
Claims (checked below; Monte-Carlo tolerance 5 % on the band, 8 % per layer and 2 % on average for Post-LN):
* simulated Pre-LN E‖x_l‖²/d lies inside Lemma 2's band for every l, and ‖x_l‖ grows like √l
  (log-log slope of ‖x_l‖ between l = 6 and 24 within 0.5 ± 0.1);
* simulated Post-LN E‖x^{post,5}_l‖²/d = 1.5 for every l, and ‖x_l‖²/d = 1 (LayerNorm output);
* hence √d/‖input of the last LN‖ stays ≈ 1/√1.5 for Post-LN but falls like 1/√L for Pre-LN.
"""
import functools

import numpy as np

from _common import rng

ALT = ("左图：初始化时残差流的平方范数（除以 d）随层数 l 的变化，Pre-LN 沿直线增长并落在 Xiong 等人引理 2 给出的 "
       "(1 + l/2) 到 (1 + 3l/2) 区间内，Post-LN 恒为 1.5；右图：最后一个 LayerNorm 的缩放因子 √d/‖x‖，"
       "Post-LN 不随层数变化，Pre-LN 按 1/√L 下降。")

D, N, L, SEEDS = 128, 16, 24, 24


def ln(x, eps=1e-6):
    return (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps)


def sq_norm_over_d(x):
    return float((x**2).sum(-1).mean() / D)


@functools.lru_cache(maxsize=None)
def compute():
    pre = np.zeros((SEEDS, L + 1))
    post5 = np.zeros((SEEDS, L + 1))
    post = np.zeros((SEEDS, L + 1))
    for s in range(SEEDS):
        g = rng(1000 + s)
        layers = [tuple(g.standard_normal((3, D, D)) / np.sqrt(D)) for _ in range(L)]  # W_V, W_1, W_2
        x0 = g.standard_normal((N, D))

        def attn(x, wv):
            return np.broadcast_to(x.mean(0, keepdims=True) @ wv, x.shape)

        def ffn(x, w1, w2):
            return np.maximum(0, x @ w1) @ w2

        xp, xq = x0, x0
        pre[s, 0] = post[s, 0] = sq_norm_over_d(x0)
        post5[s, 0] = np.nan
        for l, (wv, w1, w2) in enumerate(layers, 1):
            u = xp + attn(ln(xp), wv)
            xp = u + ffn(ln(u), w1, w2)
            pre[s, l] = sq_norm_over_d(xp)
            v = ln(xq + attn(xq, wv))
            x5 = v + ffn(v, w1, w2)
            xq = ln(x5)
            post5[s, l] = sq_norm_over_d(x5)
            post[s, l] = sq_norm_over_d(xq)
    pre_m, post5_m, post_m = pre.mean(0), post5.mean(0), post.mean(0)
    ls = np.arange(L + 1)
    lo, hi = 1 + ls / 2, 1 + 3 * ls / 2
    assert np.all(pre_m[1:] >= lo[1:] * 0.95) and np.all(pre_m[1:] <= hi[1:] * 1.05), pre_m
    slope = np.log(np.sqrt(pre_m[24] / pre_m[6])) / np.log(24 / 6)
    assert abs(slope - 0.5) < 0.1, slope
    assert np.all(np.abs(post5_m[1:] / 1.5 - 1) < 0.08), post5_m
    assert abs(np.mean(post5_m[1:]) / 1.5 - 1) < 0.02  # averaged over layers too
    assert np.allclose(post_m[1:], 1.0, atol=1e-3)
    scale_pre, scale_post = 1 / np.sqrt(pre_m[1:]), 1 / np.sqrt(post5_m[1:])
    assert scale_pre[-1] < 0.5 * scale_post[-1]
    return ls, pre_m, post5_m, post_m, scale_pre, scale_post, slope


def make(theme):
    import matplotlib.pyplot as plt

    ls, pre_m, post5_m, post_m, scale_pre, scale_post, slope = compute()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7.6, 3.6))
    a1.fill_between(ls, 1 + ls / 2, 1 + 3 * ls / 2, color=theme.palette[0], alpha=0.15, lw=0,
                    label="引理 2 区间（Pre-LN）")
    a1.plot(ls, pre_m, "o-", ms=3, color=theme.palette[0], label="Pre-LN：‖x_l‖² / d")
    a1.plot(ls[1:], post5_m[1:], "s-", ms=3, color=theme.palette[1], label="Post-LN：LN 之前的和 / d")
    a1.plot(ls[1:], post_m[1:], "--", color=theme.palette[2], label="Post-LN：LN 之后 / d")
    a1.set_xlabel("层数 l")
    a1.set_ylabel("平方范数 / d（初始化时）")
    a1.set_title(f"Pre-LN 范数 ∝ l 的 {slope:.2f} 次方（√l 对应 0.5）", fontsize=9)
    a1.grid(True, alpha=0.4)
    a1.legend(fontsize=8, loc="upper left")

    Ls = ls[1:]
    a2.plot(Ls, scale_post, "s-", ms=3, color=theme.palette[1], label="Post-LN")
    a2.plot(Ls, scale_pre, "o-", ms=3, color=theme.palette[0], label="Pre-LN")
    a2.plot(Ls, scale_pre[-1] * np.sqrt(Ls[-1] / Ls), ":", color=theme.fg, lw=1.2, label="∝ 1/√L 参考线")
    a2.set_xlabel("总层数 L")
    a2.set_ylabel("√d / ‖最后一个 LN 的输入‖")
    a2.set_title("最后一个 LN 对梯度的缩放（引理 3）", fontsize=9)
    a2.set_ylim(0, 1.0)
    a2.grid(True, alpha=0.4)
    a2.legend(fontsize=8, loc="center right")
    fig.tight_layout()
    return fig
