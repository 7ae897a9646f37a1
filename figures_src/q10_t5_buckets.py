"""Q10 图 2：T5 相对位置偏置的分桶函数（忠实实现 T5 / Mesh TensorFlow 的 _relative_position_bucket）。

relative_position = key_pos - query_pos. Defaults: num_buckets = 32, max_distance = 128.
Claims (checked below):
* bidirectional (encoder): 16 buckets per direction; max_exact = 8, so |rp| < 8 maps exactly: rp ∈ [-7, 0] -> -rp,
  rp ∈ [1, 7] -> 16 + rp; beyond, buckets grow logarithmically and every |rp| ≥ 128 shares the last bucket
  of its direction (15 or 31) — in fact, because of truncation and the clamp, from |rp| = 91 on; bucket index
  is monotone in |rp| per direction; bucket 16 is never used (31 distinct buckets);
* unidirectional (decoder): 32 buckets for rp ≤ 0; max_exact = 16, so -rp < 16 maps to itself; rp > 0 -> 0;
  the last bucket (31) starts at -rp = 113.
"""
import functools

import numpy as np

ALT = ("阶梯图：T5 把相对位置（key 位置减 query 位置）映射到 32 个桶。双向时正负各 16 个桶，距离 0–7 一个距离一个桶，"
       "之后按对数变宽，距离 ≥128 全部落进同一个桶（由于取整，双向时从 91 起就已是最后一个桶）；单向（解码器）时距离 0–15 精确、之后对数分桶。")

RP = np.arange(-200, 201)


def relative_position_bucket(relative_position, bidirectional=True, num_buckets=32, max_distance=128):
    """numpy port of T5's bucket function (same integer arithmetic; log then truncation toward zero)."""
    rp = np.asarray(relative_position, dtype=np.int64)
    ret = np.zeros_like(rp)
    n = -rp
    if bidirectional:
        num_buckets //= 2
        ret += (n < 0).astype(np.int64) * num_buckets
        n = np.abs(n)
    else:
        n = np.maximum(n, 0)
    max_exact = num_buckets // 2
    is_small = n < max_exact
    with np.errstate(divide="ignore"):
        val_if_large = max_exact + (
            np.log(np.maximum(n, 1).astype(np.float32) / max_exact) / np.log(max_distance / max_exact)
            * (num_buckets - max_exact)
        ).astype(np.int64)
    val_if_large = np.minimum(val_if_large, num_buckets - 1)
    return ret + np.where(is_small, n, val_if_large)


@functools.lru_cache(maxsize=None)
def compute():
    bi = relative_position_bucket(RP, bidirectional=True)
    uni = relative_position_bucket(RP, bidirectional=False)
    # Exact small buckets.
    for r in range(-7, 1):
        assert bi[RP == r][0] == -r
    for r in range(1, 8):
        assert bi[RP == r][0] == 16 + r
    for r in range(-15, 1):
        assert uni[RP == r][0] == -r
    assert np.all(uni[RP > 0] == 0)
    # Saturation at max_distance and monotonicity per direction.
    assert np.all(bi[RP <= -128] == 15) and np.all(bi[RP >= 128] == 31)
    assert np.all(np.diff(bi[RP <= 0][::-1]) >= 0) and np.all(np.diff(bi[RP > 0]) >= 0)
    # Bucket 16 would mean "key after query at distance 0", which cannot happen: 31 of the 32 buckets are used.
    assert set(bi.tolist()) == set(range(32)) - {16}
    assert np.all(uni[RP <= -128] == 31)
    # Because of the integer truncation and the clamp, the last bucket starts before 128:
    # |rp| >= 91 (bidirectional) and -rp >= 113 (unidirectional).
    last_bi = np.abs(RP[(bi == 15) | (bi == 31)]).min()
    last_uni = (-RP[uni == 31]).min()
    assert last_bi == 91 and last_uni == 113, (last_bi, last_uni)
    return bi, uni


def make(theme):
    import matplotlib.pyplot as plt

    bi, uni = compute()
    fig, ax = plt.subplots(figsize=(7.0, 3.8))
    ax.step(RP, bi, where="mid", color=theme.palette[0], lw=1.5, label="双向（编码器）")
    ax.step(RP, uni, where="mid", color=theme.palette[1], lw=1.5, ls="--", label="单向（解码器）")
    for x in (-128, 128):
        ax.axvline(x, color=theme.muted, ls=":", lw=1)
    ax.text(131, 2, "max_distance = 128", fontsize=8, color=theme.muted)
    ax.annotate("双向：|距离| ≥ 91 已进最后一个桶", xy=(91, 31), xytext=(-10, 33.5), fontsize=8, color=theme.fg,
                arrowprops=dict(arrowstyle="->", color=theme.muted, lw=0.8))
    ax.axvspan(-7.5, 7.5, color=theme.palette[2], alpha=0.15, lw=0)
    ax.text(-195, 20, "绿色带 |距离| < 8：\n一个距离一个桶", fontsize=8, color=theme.fg)
    ax.set_xlabel("相对位置 = key 位置 − query 位置")
    ax.set_ylabel("桶编号（共 32 个）")
    ax.set_ylim(-1, 36)
    ax.grid(True, alpha=0.5)
    ax.legend(fontsize=8.5, frameon=True, loc="lower left")
    ax.set_title("T5 相对位置分桶：num_buckets = 32，max_distance = 128", fontsize=9)
    fig.tight_layout()
    return fig
