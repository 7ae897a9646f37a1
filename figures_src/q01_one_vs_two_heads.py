"""Q1 图 1：一个 softmax 分布只能给出一个加权平均；要从 m 个不同位置各取一个特征，单头最多解释 1/m 的方差。

Toy task (all numbers computed below, by least squares on sampled data):
* n = 8 positions; position j carries a value vector v_j ∈ R^m with i.i.d. N(0, 1) features;
* target y = (v_{π(1)}[1], …, v_{π(m)}[m]): feature i must be fetched from its own position π(i);
* a head with attention distribution p returns u = Σ_j p_j v_j (a convex combination), followed by the
  best linear output map W^O (fitted by least squares).
Claims (checked below):
* m = 2, one head with any split of its mass between the two positions: R² ≈ 1/2 (both features are averaged
  with the wrong position's features); two heads, each one-hot on its own position: R² ≈ 1 (exact fetch);
* m = 4: with h one-hot heads on distinct target positions, R² ≈ min(h, m)/m; no single-head distribution
  among 300 random ones (softmax of random logits) exceeds 1/m.
"""
import functools

import numpy as np

from _common import rng, softmax

ALT = ("两幅图：左图为玩具任务中预测值对真实值的散点，单头（一个 softmax 分布，质量在两个位置间各半）的输出是两个位置的平均，"
       "散点呈云状、只解释约 50% 方差；两个头各自对准一个位置时点落在对角线上。右图为需要从 4 个位置各取一个特征时，"
       "解释方差比例随头数 h 线性上升为 h/4，任何单头分布都不超过 1/4。")

N_POS, SAMPLES = 8, 4000


def fit_r2(u, y):
    """Best linear map (with W^O fitted by least squares) from head outputs u to target y; pooled R²."""
    coef, *_ = np.linalg.lstsq(u, y, rcond=None)
    pred = u @ coef
    return 1 - ((y - pred) ** 2).sum() / ((y - y.mean(0)) ** 2).sum(), pred


def heads_output(v, dists):
    """v: (samples, n, m) values; dists: (h, n) attention distributions -> concatenated head outputs."""
    return np.concatenate([np.einsum("j,sjm->sm", p, v) for p in dists], axis=1)


@functools.lru_cache(maxsize=None)
def compute():
    g = rng(1)
    # --- m = 2: fetch feature a from position 1 and feature b from position 5
    m, pos = 2, [1, 5]
    v = g.standard_normal((SAMPLES, N_POS, m))
    y = np.stack([v[:, pos[i], i] for i in range(m)], axis=1)
    splits = np.linspace(0, 1, 11)
    r2_one = []
    for t in splits:
        p = np.zeros(N_POS)
        p[pos[0]], p[pos[1]] = t, 1 - t
        r2_one.append(fit_r2(heads_output(v, [p]), y)[0])
    r2_one = np.array(r2_one)
    half = np.zeros(N_POS)
    half[pos] = 0.5
    r2_half, pred_one = fit_r2(heads_output(v, [half]), y)
    two = np.zeros((2, N_POS))
    two[0, pos[0]] = two[1, pos[1]] = 1
    r2_two, pred_two = fit_r2(heads_output(v, two), y)
    assert np.all(np.abs(r2_one - 0.5) < 0.04), r2_one  # any split: about half the variance, never more
    assert r2_two > 0.999, r2_two

    # --- m = 4 features from 4 different positions, h = 1..4 one-hot heads
    m4, pos4 = 4, [0, 2, 5, 7]
    v4 = g.standard_normal((SAMPLES, N_POS, m4))
    y4 = np.stack([v4[:, pos4[i], i] for i in range(m4)], axis=1)
    hs = np.arange(1, 5)
    r2_h = []
    for h in hs:
        d = np.zeros((h, N_POS))
        for k in range(h):
            d[k, pos4[k]] = 1
        r2_h.append(fit_r2(heads_output(v4, d), y4)[0])
    r2_h = np.array(r2_h)
    assert np.all(np.abs(r2_h - hs / m4) < 0.03), r2_h
    rand_single = np.array([fit_r2(heads_output(v4, [softmax(2.0 * g.standard_normal(N_POS))]), y4)[0]
                            for _ in range(300)])
    assert rand_single.max() < 1 / m4 + 0.02, rand_single.max()
    return dict(y=y[:600, 0], pred_one=pred_one[:600, 0], pred_two=pred_two[:600, 0], r2_half=r2_half,
                r2_two=r2_two, hs=hs, r2_h=r2_h, rand_single=rand_single, m4=m4)


def make(theme):
    import matplotlib.pyplot as plt

    c = compute()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.4, 3.6))
    # Every other sample is drawn (R² is computed on all 600): 1,200 SVG markers were 25 KB of the page's budget.
    show = slice(None, None, 2)
    ax1.scatter(c["y"][show], c["pred_one"][show], s=6, alpha=0.45, color=theme.palette[1],
                label=f"单头（各半），R² = {c['r2_half']:.2f}")
    ax1.scatter(c["y"][show], c["pred_two"][show], s=6, alpha=0.6, color=theme.palette[0],
                label=f"两个头，R² = {c['r2_two']:.2f}")
    lim = 3.2
    ax1.plot([-lim, lim], [-lim, lim], "--", color=theme.muted, lw=1)
    ax1.set_xlim(-lim, lim)
    ax1.set_ylim(-lim, lim)
    ax1.set_xlabel("目标：位置 1 的特征 a")
    ax1.set_ylabel("注意力输出（最优 W^O 之后）")
    ax1.set_title("从两个位置各取一个特征", fontsize=9)
    ax1.legend(fontsize=8, loc="upper left", markerscale=2)
    ax1.grid(True, alpha=0.5)

    hs, m4 = c["hs"], c["m4"]
    ax2.plot(hs, hs / m4, "--", color=theme.muted, lw=1.2, label="理论上界 min(h, m)/m")
    ax2.plot(hs, c["r2_h"], "o-", color=theme.palette[0], label="h 个头，各对准一个位置")
    ax2.scatter(np.ones_like(c["rand_single"]) + 0.12 * (np.linspace(-1, 1, len(c["rand_single"]))),
                c["rand_single"], s=5, alpha=0.5, color=theme.palette[1], label="单头：300 个随机 softmax 分布")
    ax2.set_xticks(hs)
    ax2.set_ylim(0, 1.05)
    ax2.set_xlabel("头数 h（m = 4 个特征在 4 个不同位置）")
    ax2.set_ylabel("解释方差比例 R²")
    ax2.set_title("每多一个头，多取回一个位置", fontsize=9)
    ax2.legend(fontsize=8, loc="upper left")
    ax2.grid(True, alpha=0.5)
    fig.tight_layout()
    return fig
