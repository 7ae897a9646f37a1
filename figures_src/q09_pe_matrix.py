"""Q9 图 1：正弦位置编码矩阵（论文的交错排列）与其中几维随位置变化的曲线。

Claims (checked below), d_model = 128, positions 0..199:
* interleaved layout (paper: PE[pos, 2i] = sin, PE[pos, 2i+1] = cos) and the concatenated layout used by
  tensor2tensor's get_timing_signal_1d ([sin(all i) | cos(all i)]) contain the same numbers, related by one fixed
  column permutation — identical to 1e-12 after permuting (note t2t spaces the timescales with d/2 - 1 in the
  denominator, i.e. a slightly different frequency grid; here both use the paper's 10000^(2i/d));
* every row has norm exactly √(d_model/2);
* the wavelength of pair i is 2π·10000^(2i/d_model): 2π for i = 0, growing geometrically to < 10000·2π.
"""
import functools

import numpy as np

ALT = ("两幅图：上图是 200 个位置 × 128 维的正弦位置编码热力图，左侧（低维）条纹密、右侧（高维）几乎不变，"
       "体现频率按几何级数递减；下图画出第 4、20、40、80 维随位置的变化，低维快速振荡、高维缓慢变化（第 80 维在 200 个位置内几乎不动）。")

D, N = 128, 200


def pe_interleaved(n, d):
    pos = np.arange(n)[:, None]
    omega = 1.0 / 10000.0 ** (2 * np.arange(d // 2) / d)
    ang = pos * omega[None, :]
    pe = np.empty((n, d))
    pe[:, 0::2] = np.sin(ang)
    pe[:, 1::2] = np.cos(ang)
    return pe, omega


def pe_concatenated(n, d):
    pos = np.arange(n)[:, None]
    omega = 1.0 / 10000.0 ** (2 * np.arange(d // 2) / d)
    ang = pos * omega[None, :]
    return np.concatenate([np.sin(ang), np.cos(ang)], axis=1)


@functools.lru_cache(maxsize=None)
def compute():
    pe, omega = pe_interleaved(N, D)
    pc = pe_concatenated(N, D)
    perm = np.empty(D, dtype=int)          # column j of interleaved -> column perm[j] of concatenated
    perm[0::2] = np.arange(D // 2)
    perm[1::2] = D // 2 + np.arange(D // 2)
    assert np.max(np.abs(pe - pc[:, perm])) < 1e-12
    assert not np.allclose(pe, pc)          # but the raw layouts differ: loading weights across them is a bug
    assert np.allclose(np.linalg.norm(pe, axis=1), np.sqrt(D / 2), atol=1e-9)
    wavelength = 2 * np.pi / omega
    assert abs(wavelength[0] - 2 * np.pi) < 1e-12 and wavelength[-1] < 10000 * 2 * np.pi
    assert np.allclose(wavelength[1:] / wavelength[:-1], 10000 ** (2 / D))
    return pe


def make(theme):
    import matplotlib.pyplot as plt

    pe = compute()
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(6.8, 4.2), gridspec_kw={"height_ratios": [1.25, 1]})
    # Page weight: interpolation="none" embeds the N×D matrix itself, not a resampled 680 px picture, and a
    # 16-step viridis (steps of 1/8 in [-1, 1], the waves stay as clear) lets the PNG compress (45 KB -> ~10 KB gzip).
    im = a1.imshow(pe, aspect="auto", cmap=plt.get_cmap("viridis", 16), vmin=-1, vmax=1, interpolation="none")
    a1.set_xlabel("维度 j（偶数列 sin，奇数列 cos）", fontsize=8)
    a1.set_ylabel("位置 pos", fontsize=8)
    a1.tick_params(labelsize=8)
    cb = fig.colorbar(im, ax=a1, pad=0.01)
    cb.ax.tick_params(labelsize=8)
    for k, j in enumerate((4, 20, 40, 80)):
        a2.plot(np.arange(N), pe[:, j], color=theme.palette[k], lw=1.2, label=f"维度 {j}")
    a2.set_xlabel("位置 pos", fontsize=8)
    a2.set_ylabel("PE 值", fontsize=8)
    a2.set_ylim(-1.1, 1.1)
    a2.set_xlim(0, N - 1)
    a2.tick_params(labelsize=8)
    a2.grid(True, alpha=0.5)
    a2.legend(fontsize=8, ncol=4, frameon=False, loc="lower center", bbox_to_anchor=(0.5, 0.98))
    a1.set_title(f"正弦位置编码，d_model = {D}，位置 0–{N - 1}", fontsize=9)
    fig.tight_layout()
    return fig
