"""Q5 图 3：两个数值陷阱——float16 装不下 -1e9；整行都被 mask 时 softmax 全是 -inf 会得到 NaN。

Claims (checked below with numpy):
* float16 can hold -1e4 and its own minimum -65504 exactly, but -1e5 and -1e9 become -inf
  (largest finite float16 magnitude is 65504);
* adding the float16 minimum to an ordinary negative score already overflows: -20 + (-65504) = -inf;
* a row whose keys are ALL masked: with -inf fill, softmax = 0/0 = NaN for every entry; with the finite
  dtype minimum, softmax is uniform (1/n, finite garbage); explicitly zeroing such rows gives 0;
* a NaN left at a padded position contaminates real tokens of the next layer even though its attention
  weight is exactly 0, because 0 · NaN = NaN.
"""
import functools

import numpy as np

from _common import softmax

ALT = ("两幅图：左图为几种掩码填充值存成 float16 后的结果，-1e4 和 -65504 能存下，-1e5 与 -1e9 溢出成 -inf；"
       "右图为整行 4 个 key 全被 mask 时的 softmax 输出，填 -inf 得到 NaN，填 dtype 最小值得到均匀的 0.25，显式置零得到 0。")

FILLS = (-1e4, -65504.0, -1e5, -1e9)
FILL_LABELS = ("-1e4", "-65504", "-1e5", "-1e9")
N_KEYS = 4


@functools.lru_cache(maxsize=None)
def compute():
    with np.errstate(over="ignore", invalid="ignore"):
        stored = np.array([np.float16(f) for f in FILLS], dtype=np.float64)
        overflow_sum = float(np.float16(-20.0) + np.finfo(np.float16).min)
        scores = np.array([0.3, -1.2, 2.0, 0.7])
        all_masked = np.ones(N_KEYS, bool)
        p_inf = softmax(np.where(all_masked, -np.inf, scores))
        p_min = softmax(np.where(all_masked, np.finfo(np.float32).min, scores).astype(np.float32))
        p_zeroed = np.where(all_masked.all(), 0.0, p_min)        # explicit handling of fully masked rows
        # NaN at a padded position leaks into real tokens in the next layer: a masked weight is 0, but 0 · NaN = NaN
        w_real = np.array([0.5, 0.5, 0.0])                        # real query: two real keys, one masked pad key
        v_next = np.array([[1.0, 2.0], [3.0, 4.0], [np.nan, np.nan]])
        leaked = w_real @ v_next
    assert np.finfo(np.float16).max == 65504
    assert stored[0] == -1e4 and stored[1] == -65504
    assert np.isneginf(stored[2]) and np.isneginf(stored[3])
    assert np.isneginf(overflow_sum)
    assert np.all(np.isnan(p_inf))
    assert np.allclose(p_min, 1 / N_KEYS)
    assert np.all(p_zeroed == 0)
    assert np.all(np.isnan(leaked))
    return stored, p_inf, p_min, p_zeroed


def make(theme):
    import matplotlib.pyplot as plt

    stored, p_inf, p_min, p_zeroed = compute()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7.6, 3.4), gridspec_kw={"width_ratios": [1.1, 1]})
    x = np.arange(len(FILLS))
    top = 1e6
    for i, v in enumerate(stored):
        if np.isfinite(v):
            a1.bar(i, -v, color=theme.palette[0], width=0.6)
            a1.text(i, -v * 1.3, f"{v:.0f}", ha="center", fontsize=8, color=theme.fg)
        else:
            a1.bar(i, top, color=theme.palette[1], width=0.6, hatch="//", edgecolor=theme.bg)
            a1.text(i, top * 1.3, "-inf", ha="center", fontsize=9, color=theme.palette[1])
    a1.axhline(65504, ls="--", color=theme.muted, lw=1)
    a1.text(-0.45, 65504 * 3.5, "虚线：float16 最大量级 65504", fontsize=8, color=theme.muted)
    a1.set_yscale("log")
    a1.set_ylim(1e3, top * 4)
    a1.set_xticks(x)
    a1.set_xticklabels(FILL_LABELS, fontsize=8)
    a1.set_xlabel("想填入的 mask 值")
    a1.set_ylabel("存成 float16 后的量级")
    a1.set_title("float16 里 -1e9 会溢出", fontsize=9)

    width = 0.26
    k = np.arange(N_KEYS)
    a2.bar(k - width, np.zeros(N_KEYS), width, color=theme.palette[1])
    for j in k:
        a2.text(j - width, 0.02, "NaN", rotation=90, ha="center", va="bottom", fontsize=8, color=theme.palette[1])
    a2.bar(k, p_min, width, color=theme.palette[4], label="填 dtype 最小值：均匀 1/4（无意义）")
    a2.bar(k + width, p_zeroed + 0.004, width, color=theme.palette[0], label="整行全 mask 时显式置 0")
    a2.plot([], [], "s", color=theme.palette[1], label="填 -inf：0/0 = NaN")
    a2.set_xticks(k)
    a2.set_xticklabels([f"pad{j + 1}" for j in k], fontsize=8)
    a2.set_ylim(0, 0.6)
    a2.set_ylabel("softmax 权重")
    a2.set_title("整行 key 全被 mask 时", fontsize=9)
    a2.legend(fontsize=8, frameon=True, loc="upper right")
    for ax in (a1, a2):
        ax.grid(True, axis="y", alpha=0.6)
    fig.tight_layout()
    return fig
