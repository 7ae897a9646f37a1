"""Q6 图 2：一个头的打分矩阵 Q_i K_iᵀ 的秩不超过 d_k（低秩瓶颈）；softmax 之后的矩阵不再受此限制。

Setup: n = 64 tokens, X ∈ R^{64 × 512} random, one head with random W^Q_i, W^K_i ∈ R^{512 × d_k}.
Claims (checked below):
* rank(Q_i K_iᵀ) = min(n, d_k) exactly (numpy matrix_rank), for d_k = 1 … 128;
* the singular values of the logits for d_k = 8 drop from O(1) to rounding level (< 1e-12 relative) after
  the 8th one;
* the elementwise exp inside softmax breaks the rank bound: rank(softmax(·)) > d_k for d_k ≤ 4
  (the bottleneck restricts WHICH attention patterns a head can express, not the rank of P itself).
"""
import functools

import numpy as np

from _common import rng, softmax

ALT = ("两幅图：左图为 64 个 token 时单个头打分矩阵 QKᵀ 的秩随 d_k 的变化，严格等于 min(64, d_k)，而 softmax 后矩阵的数值秩更高；"
       "右图为 d_k = 8 时打分矩阵的奇异值，前 8 个为正常大小，第 9 个起跌到舍入误差量级。")

N, D_MODEL = 64, 512
DKS = np.array([1, 2, 4, 8, 16, 32, 64, 128])
DK_SPEC = 8


@functools.lru_cache(maxsize=None)
def compute():
    g = rng(6)
    x = g.standard_normal((N, D_MODEL))
    rank_s, rank_p, spec = [], [], None
    for dk in DKS:
        wq = g.standard_normal((D_MODEL, dk)) / np.sqrt(D_MODEL)
        wk = g.standard_normal((D_MODEL, dk)) / np.sqrt(D_MODEL)
        s = (x @ wq) @ (x @ wk).T / np.sqrt(dk)
        p = softmax(s)
        rank_s.append(np.linalg.matrix_rank(s))
        rank_p.append(np.linalg.matrix_rank(p))
        if dk == DK_SPEC:
            spec = (np.linalg.svd(s, compute_uv=False), np.linalg.svd(p, compute_uv=False))
    rank_s, rank_p = np.array(rank_s), np.array(rank_p)
    assert np.array_equal(rank_s, np.minimum(N, DKS)), rank_s
    sv = spec[0] / spec[0][0]
    assert np.all(sv[:DK_SPEC] > 1e-3) and np.all(sv[DK_SPEC:] < 1e-12), sv[: DK_SPEC + 2]
    assert np.all(rank_p[DKS <= 4] > DKS[DKS <= 4]), rank_p
    return rank_s, rank_p, spec


def make(theme):
    import matplotlib.pyplot as plt

    rank_s, rank_p, (sv_s, sv_p) = compute()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7.6, 3.4))
    a1.plot(DKS, np.minimum(N, DKS), "--", color=theme.muted, lw=1.2, label="min(n, d_k)")
    a1.plot(DKS, rank_s, "o-", color=theme.palette[0], label="打分矩阵 QKᵀ 的秩")
    a1.plot(DKS, rank_p, "^-", color=theme.palette[1], label="softmax 后的数值秩")
    a1.set_xscale("log", base=2)
    a1.set_xlabel("每个头的维度 d_k")
    a1.set_ylabel("秩")
    a1.set_ylim(0, N + 8)
    a1.set_title(f"n = {N} 个 token", fontsize=9)
    a1.legend(fontsize=8, frameon=True, loc="center", bbox_to_anchor=(0.42, 0.55))
    k = np.arange(1, N + 1)
    a2.semilogy(k, sv_s / sv_s[0], "o", ms=3, color=theme.palette[0], label="打分矩阵 QKᵀ")
    a2.semilogy(k, sv_p / sv_p[0], "^", ms=3, color=theme.palette[1], label="softmax 后")
    a2.axvline(DK_SPEC + 0.5, ls=":", color=theme.muted, lw=1)
    a2.text(DK_SPEC + 2, 1e-3, f"第 {DK_SPEC + 1} 个起≈0", fontsize=8, color=theme.muted)
    a2.set_xlabel("奇异值序号")
    a2.set_ylabel("相对奇异值")
    a2.set_title(f"d_k = {DK_SPEC} 时的奇异值", fontsize=9)
    a2.legend(fontsize=8, frameon=True, loc="upper right")
    for ax in (a1, a2):
        ax.grid(True, alpha=0.6)
    fig.tight_layout()
    return fig
