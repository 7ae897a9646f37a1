"""Q10 图 3：RoPE 的注意力分数只依赖相对距离；以及 PI / NTK-aware 对各维旋转频率的改动。

Left: q, k ∈ R^64 fixed random vectors; score(m, n) = (R_m q)·(R_n k) with RoPE (θ_i = 10000^(-2i/d), adjacent-pair
rotation as in RoFormer). Claim: score(m, n) = score(m+s, n+s) to 1e-9 for shifts s up to 5000 — plotted as
score against m − n for three absolute offsets, curves coincide.
Right: per-pair frequency θ_i for original RoPE, Position Interpolation (θ_i / s) and NTK-aware base change
(b' = b·s^(d/(d-2))), s = 8. Claims: NTK-aware keeps θ_0 unchanged exactly and makes the lowest frequency equal
to PI's exactly (1e-12 relative) — "extrapolate high frequencies, interpolate low ones".
"""
import functools

import numpy as np

from _common import rng

ALT = ("两幅图：左图是 RoPE 下 q·k 分数随相对距离 m−n 的曲线，在三个不同的绝对起点下完全重合，说明分数只依赖相对位置；"
       "右图是各维旋转频率，位置插值 PI 把所有频率统一除以 8，NTK-aware 改底数后最高频不变、最低频与 PI 相同。")

D = 64
BASE = 10000.0
S = 8.0
REL = np.arange(-128, 129)
OFFSETS = (0, 1000, 5000)


def rope(x: np.ndarray, pos: np.ndarray, base: float = BASE) -> np.ndarray:
    """Rotate pairs (x[2i], x[2i+1]) by angle pos·θ_i, θ_i = base^(-2i/d). x: (d,), pos: (n,) -> (n, d)."""
    d = x.shape[-1]
    theta = base ** (-2 * np.arange(d // 2) / d)
    ang = pos[:, None] * theta[None, :]
    c, s = np.cos(ang), np.sin(ang)
    x0, x1 = x[0::2], x[1::2]
    out = np.empty((len(pos), d))
    out[:, 0::2] = x0 * c - x1 * s
    out[:, 1::2] = x0 * s + x1 * c
    return out


@functools.lru_cache(maxsize=None)
def compute():
    g = rng(10)
    q, k = g.standard_normal(D), g.standard_normal(D)
    curves = []
    for off in OFFSETS:
        m = np.full(len(REL), off + 200, dtype=float)   # query position
        n = m - REL                                      # key position, so REL = m - n
        curves.append(np.einsum("nd,nd->n", rope(q, m), rope(k, n)))
    curves = np.array(curves)
    assert np.max(np.abs(curves - curves[0])) < 1e-9, np.max(np.abs(curves - curves[0]))
    # Norms preserved (rotation).
    assert np.allclose(np.linalg.norm(rope(q, np.array([123.0])), axis=1), np.linalg.norm(q))
    i = np.arange(D // 2)
    theta = BASE ** (-2 * i / D)
    theta_pi = theta / S
    base_ntk = BASE * S ** (D / (D - 2))
    theta_ntk = base_ntk ** (-2 * i / D)
    assert theta_ntk[0] == theta[0] == 1.0
    assert abs(theta_ntk[-1] / theta_pi[-1] - 1) < 1e-12
    return curves, theta, theta_pi, theta_ntk


def make(theme):
    import matplotlib.pyplot as plt

    curves, theta, theta_pi, theta_ntk = compute()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7.6, 3.5))
    styles = ("-", "--", ":")
    for idx, off in enumerate(OFFSETS):
        a1.plot(REL, curves[idx], styles[idx], color=theme.palette[idx], lw=1.5, label=f"query 位置 {off + 200}")
    a1.set_xlabel("相对距离 m − n")
    a1.set_ylabel("(R_m q) · (R_n k)")
    a1.set_title("RoPE：三条曲线重合", fontsize=9)
    a1.legend(fontsize=8, frameon=True)
    i = np.arange(len(theta))
    a2.plot(i, theta, "o-", ms=3, color=theme.palette[0], label="原始 RoPE")
    a2.plot(i, theta_pi, "s--", ms=3, color=theme.palette[1], label="PI：θ_i / 8")
    a2.plot(i, theta_ntk, "^-", ms=3, color=theme.palette[2], label="NTK-aware：改底数")
    a2.set_yscale("log")
    a2.set_xlabel("维度对编号 i")
    a2.set_ylabel("旋转频率 θ_i（弧度/位置）")
    a2.set_title("上下文扩大 8 倍时的频率", fontsize=9)
    a2.legend(fontsize=8, frameon=True)
    for ax in (a1, a2):
        ax.grid(True, alpha=0.5)
        ax.tick_params(labelsize=8)
    fig.suptitle("d = 64，底数 10000", fontsize=9)
    fig.tight_layout()
    return fig
