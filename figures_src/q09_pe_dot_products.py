"""Q9 图 2：位置编码之间的点积只取决于偏移 k——但经过 W^Q、W^K 投影之后就不再是了。

Claims (checked below), d_model = 128, reference positions p ∈ {0, 40, 90}, offsets k = -60..60:
* PE_p · PE_{p+k} = Σ_i cos(ω_i k) for every p (shift invariance exact to 1e-9), symmetric in k;
* with random W^Q, W^K ∈ R^{128×16} (entries N(0, 1/128)), (PE_p W^Q)·(PE_{p+k} W^K) changes with p at fixed k:
  the spread across p is more than 10 % of the curve's range;
* PE_{p+k} = PE_p R_k with R_k block-diagonal rotations (exact to 1e-9).
"""
import functools

import numpy as np

from _common import rng

ALT = ("两幅图：左图是位置编码点积 PE_p·PE_(p+k) 随偏移 k 的曲线，三个不同起点 p 的曲线完全重合，只依赖 k；"
       "右图是经过随机 W^Q、W^K 投影后的 (PE_p W^Q)·(PE_(p+k) W^K)，三条曲线明显分开，不再只是 k 的函数。")

D, DK = 128, 16
REFS = (0, 40, 90)
K = np.arange(-60, 61)


def pe(pos, d=D):
    pos = np.asarray(pos, dtype=float)[:, None]
    omega = 1.0 / 10000.0 ** (2 * np.arange(d // 2) / d)
    ang = pos * omega[None, :]
    out = np.empty((pos.shape[0], d))
    out[:, 0::2] = np.sin(ang)
    out[:, 1::2] = np.cos(ang)
    return out, omega


@functools.lru_cache(maxsize=None)
def compute():
    g = rng(9)
    wq = g.normal(0, D ** -0.5, (D, DK))
    wk = g.normal(0, D ** -0.5, (D, DK))
    raw, proj = [], []
    for p in REFS:
        a, omega = pe([p])
        b, _ = pe(p + K)
        raw.append((b @ a[0]))
        proj.append((b @ wk) @ (a[0] @ wq))
    raw, proj = np.array(raw), np.array(proj)
    theory = np.cos(np.outer(K, omega)).sum(axis=1)
    assert np.max(np.abs(raw - theory[None, :])) < 1e-9
    assert np.max(np.abs(raw - raw[:, ::-1])) < 1e-9  # symmetric in k
    spread = (proj.max(axis=0) - proj.min(axis=0)).max()
    assert spread > 0.1 * (proj.max() - proj.min()), spread
    # Rotation property: PE_{p+k} = PE_p R_k, R_k = blockdiag([[cos, -sin], [sin, cos]]) per pair (row vectors).
    p, k = 37, 11
    rk = np.zeros((D, D))
    for i, w in enumerate(omega):
        c, s = np.cos(w * k), np.sin(w * k)
        rk[2 * i:2 * i + 2, 2 * i:2 * i + 2] = [[c, -s], [s, c]]
    assert np.max(np.abs(pe([p])[0] @ rk - pe([p + k])[0])) < 1e-9
    return raw, proj


def make(theme):
    import matplotlib.pyplot as plt

    raw, proj = compute()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7.6, 3.4))
    styles = ("-", "--", ":")
    for idx, p in enumerate(REFS):
        a1.plot(K, raw[idx], styles[idx], color=theme.palette[idx], lw=1.6, label=f"p = {p}")
        a2.plot(K, proj[idx], styles[idx], color=theme.palette[idx], lw=1.6, label=f"p = {p}")
    a1.set_title("投影前：PE_p · PE_(p+k)", fontsize=9)
    a2.set_title("随机投影后：(PE_p W^Q) · (PE_(p+k) W^K)", fontsize=9)
    for ax in (a1, a2):
        ax.set_xlabel("偏移 k")
        ax.grid(True, alpha=0.5)
        ax.legend(fontsize=8, frameon=True)
        ax.tick_params(labelsize=8)
    a1.set_ylabel("点积")
    fig.suptitle("d_model = 128，三个起点 p；左图三线重合（只依赖 k），右图分开", fontsize=9)
    fig.tight_layout()
    return fig
