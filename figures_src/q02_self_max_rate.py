"""Q2 图 2：共享 W^Q = W^K 时，“自己对自己的分数是一行的最大值”只在各 token 投影后范数相等时必然成立。

Setting (computed below): n = 32 tokens, projected vectors u_i = x_i W ∈ R^64 (shared projection, so
s_ij = u_i · u_j). Directions: u_i ∝ √ρ·c + √(1−ρ)·z_i (c a common direction, z_i isotropic), i.e. average cosine
similarity ≈ ρ between tokens; norms r_i = exp(σ·ξ_i), ξ_i ~ N(0, 1). 200 sequences per point.
Claims (checked below):
* σ = 0 (equal norms): the diagonal is the row maximum in 100 % of rows, for every ρ (Cauchy–Schwarz);
* in every sequence, the token with the largest norm has its own score as its row maximum;
* isotropic directions (ρ = 0) with mild norm spread (σ ≤ 0.2): still > 97 % — why it "almost always" looks true;
* correlated tokens (ρ = 0.7) with σ = 0.5: under 30 % of rows — the claim fails for most tokens;
* separate random W^Q, W^K (ρ = 0.3, σ = 0.5): the diagonal is the row maximum in under 15 % of rows (nothing
  special about j = i).
"""
import functools

import numpy as np

from _common import rng

ALT = ("折线图：横轴为 token 投影后范数的离散程度 σ，纵轴为“自己对自己的分数是该行最大值”的行所占比例。"
       "共享 W^Q = W^K 时，范数相等（σ = 0）时比例为 100%；随着范数差异增大、token 方向越相似（ρ 越大），比例迅速下降，"
       "ρ = 0.7、σ = 0.5 时不到 30%。用两套独立矩阵时，对角线并不特殊，比例低于 15%。")

N, D, TRIALS = 32, 64, 200
SIGMAS = np.round(np.arange(0, 1.51, 0.1), 2)
RHOS = (0.0, 0.3, 0.7)


def tokens(g, rho, sigma, d=D):
    c = g.standard_normal(d)
    c /= np.linalg.norm(c)
    u = np.sqrt(rho) * c + np.sqrt(1 - rho) * g.standard_normal((TRIALS, N, d)) / np.sqrt(d)
    u /= np.linalg.norm(u, axis=-1, keepdims=True)
    r = np.exp(sigma * g.standard_normal((TRIALS, N, 1)))
    return u * r, r[..., 0]


def self_is_max(s):
    return s.argmax(-1) == np.arange(s.shape[-1])


@functools.lru_cache(maxsize=None)
def compute():
    g = rng(2)
    rates = {}
    for rho in RHOS:
        row = []
        for sigma in SIGMAS:
            u, r = tokens(g, rho, sigma)
            hit = self_is_max(u @ u.transpose(0, 2, 1))
            # Cauchy–Schwarz: the largest-norm token always wins its own row
            assert np.all(hit[np.arange(TRIALS), r.argmax(-1)])
            row.append(hit.mean())
        rates[rho] = np.array(row)
    # separate projections: x (d_model = 64) -> q = x W^Q, k = x W^K with independent W^Q, W^K
    x, _ = tokens(g, 0.3, 0.5)
    wq, wk = g.standard_normal((2, D, D)) / np.sqrt(D)
    sep = self_is_max((x @ wq) @ (x @ wk).transpose(0, 2, 1)).mean()

    assert all(rates[rho][0] == 1.0 for rho in RHOS)
    assert rates[0.0][SIGMAS <= 0.2].min() > 0.97, rates[0.0]
    assert rates[0.7][SIGMAS == 0.5][0] < 0.3, rates[0.7]
    assert sep < 0.15, sep
    return rates, sep


def make(theme):
    import matplotlib.pyplot as plt

    rates, sep = compute()
    fig, ax = plt.subplots(figsize=(6.6, 3.8))
    for i, rho in enumerate(RHOS):
        ax.plot(SIGMAS, 100 * rates[rho], "o-", ms=3.5, color=theme.palette[i],
                label=f"共享 W，ρ = {rho}")
    ax.axhline(100 * sep, ls="--", color=theme.muted, lw=1.2,
               label=f"独立 W^Q、W^K：{100 * sep:.0f}%（≈ 1/n）")
    ax.set_xlabel("投影后范数的离散程度 σ（范数 = exp(σ·ξ)）")
    ax.set_ylabel("对角线为行最大值的比例（%）")
    ax.set_ylim(0, 125)
    ax.set_yticks(range(0, 101, 20))
    ax.set_title(f"n = {N}，d_k = {D}，ρ = token 间平均余弦相似度，每点 {TRIALS} 条序列", fontsize=9)
    ax.grid(True, alpha=0.5)
    ax.legend(fontsize=8, loc="upper right", ncol=2)
    fig.tight_layout()
    return fig
