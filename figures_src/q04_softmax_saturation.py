"""Q4 图 2：不缩放时 softmax 随 d_k 增大而饱和，雅可比矩阵（梯度）趋近于 0；缩放后不随 d_k 变化。

Claims (checked below), with n = 16 keys and q, k_j i.i.d. N(0, 1) components:
* unscaled, the typical largest weight approaches 1 (above 0.9 at d_k = 1024) while scaled it stays near 1/4;
* the median Frobenius norm of the softmax Jacobian falls by more than 1000x from d_k = 4 to 1024 unscaled,
  and stays within 10 % of its d_k = 4 value once scores are divided by √d_k.
"""
import functools

import numpy as np

from _common import rng, softmax, softmax_jacobian_fro

ALT = ("两幅图：左图为最大注意力权重随 d_k 的变化，未缩放时趋近 1（接近 one-hot），缩放后稳定在约 0.25；"
       "右图为 softmax 雅可比矩阵范数的中位数，未缩放时随 d_k 增大下降数个数量级，缩放后基本不变。")

DIMS = np.array([4, 8, 16, 32, 64, 128, 256, 512, 1024])
N_KEYS, TRIALS = 16, 2000


@functools.lru_cache(maxsize=None)
def compute():
    g = rng(7)
    out = {"raw": ([], []), "scaled": ([], [])}
    for d in DIMS:
        q = g.standard_normal((TRIALS, d))
        k = g.standard_normal((TRIALS, N_KEYS, d))
        s = np.einsum("td,tnd->tn", q, k)
        for name, z in (("raw", s), ("scaled", s / np.sqrt(d))):
            p = softmax(z)
            out[name][0].append(np.median(p.max(axis=1)))
            out[name][1].append(np.median(softmax_jacobian_fro(p)))
    res = {k: (np.array(a), np.array(b)) for k, (a, b) in out.items()}
    (pmax_raw, jac_raw), (pmax_sc, jac_sc) = res["raw"], res["scaled"]
    assert pmax_raw[-1] > 0.9, pmax_raw
    assert np.all(np.abs(pmax_sc - pmax_sc[0]) < 0.1), pmax_sc
    assert jac_raw[0] / jac_raw[-1] > 1000, jac_raw
    assert np.all(np.abs(jac_sc / jac_sc[0] - 1) < 0.1), jac_sc
    return res


def make(theme):
    import matplotlib.pyplot as plt

    res = compute()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7.6, 3.4))
    for name, color, marker, label in (("raw", theme.palette[1], "o", "未缩放"),
                                       ("scaled", theme.palette[0], "s", "除以 √d_k")):
        pmax, jac = res[name]
        a1.plot(DIMS, pmax, marker + "-", color=color, label=label)
        a2.plot(DIMS, jac, marker + "-", color=color, label=label)
    a1.axhline(1 / N_KEYS, ls=":", color=theme.muted, lw=1)
    a1.text(DIMS[0], 1 / N_KEYS + 0.02, "均匀分布 1/16", color=theme.muted, fontsize=8)
    a1.set_ylim(0, 1.05)
    a1.set_ylabel("最大权重（中位数）")
    a2.set_yscale("log")
    a2.set_ylabel("‖雅可比矩阵‖_F（中位数）")
    for ax in (a1, a2):
        ax.set_xscale("log", base=2)
        ax.set_xlabel("维度 d_k")
        ax.grid(True, alpha=0.6)
        ax.legend(fontsize=8, frameon=True)
    fig.suptitle(f"16 个 key，每个 d_k 取 {TRIALS} 组随机 q、k", fontsize=9)
    fig.tight_layout()
    return fig
