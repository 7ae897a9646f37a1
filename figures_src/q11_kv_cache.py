"""Q11 图 3：推理时逐 token 生成，缓存过去的 K、V 与每步重算整段前缀结果相同，计算量却从 O(T²) 降到 O(T)。

Part 1 (exactness, tiny numpy decoder: 2 Post-LN layers, d_model = 16, h = 2, 12 steps):
  decoding one token at a time with per-layer caches of the self-attention keys/values (and the encoder-side
  K/V computed once) reproduces, at every step, the last-position output of a full causal forward pass over
  the whole prefix. Asserted max |difference| < 1e-10. This works because, with the causal mask, the layer-l
  key/value of position j depend only on positions ≤ j, so they never change once computed.
Part 2 (cost, counted from matrix shapes for one decoder layer of the base model, d = 512, d_ff = 2048,
  source length 32, generating T tokens; encoder K/V cached in both variants):
  per new token with cache: 4·2d² (self Q,K,V,O) + 2·2d² (cross Q,O) + 4·d·d_ff + 4·t·d + 4·n_src·d;
  without cache the whole prefix of length t is recomputed at step t.
  Asserted: the ratio of cumulative FLOPs exceeds T/3 at T = 64, 256 and 1024 (≈ T/2 from the projection/FFN terms; the
  attention terms grow with t in both variants and push it slightly above T/2, ≈ 534 at T = 1024).
"""
import functools

import numpy as np

from _common import rng, softmax

ALT = ("左图：逐 token 解码时使用 KV 缓存与每步重算整段前缀的输出差异，每一步都小于 1e-15 量级；"
       "右图：生成 T 个 token 的累计 FLOPs（对数坐标），不缓存约随 T² 增长，缓存近似随 T 线性增长（注意力项随 t 变长），T = 1024 时相差约 530 倍。")

D, H, DFF, NSRC, LAYERS, STEPS = 16, 2, 64, 7, 2, 12
DK = D // H
BASE_D, BASE_DFF, BASE_NSRC = 512, 2048, 32
TS = np.unique(np.round(np.logspace(0, 10, 60, base=2)).astype(np.int64))


def ln(x, eps=1e-6):
    return (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps)


def split(t):
    return t.reshape(t.shape[0], H, DK).transpose(1, 0, 2)


def attend(q, k, v, mask=None):
    s = q @ k.transpose(0, 2, 1) / np.sqrt(DK)
    if mask is not None:
        s = np.where(mask, s, -np.inf)
    o = softmax(s) @ v
    return o.transpose(1, 0, 2).reshape(q.shape[1], D)


def make_params(g):
    def att():
        return {c: g.standard_normal((D, D)) / np.sqrt(D) for c in "qkvo"}
    return [{"self": att(), "cross": att(), "w1": g.standard_normal((D, DFF)) / np.sqrt(D),
             "w2": g.standard_normal((DFF, D)) / np.sqrt(DFF)} for _ in range(LAYERS)]


def full_forward(x, memory, params):
    mask = np.tril(np.ones((len(x), len(x)), dtype=bool))
    for p in params:
        s, c = p["self"], p["cross"]
        x = ln(x + attend(split(x @ s["q"]), split(x @ s["k"]), split(x @ s["v"]), mask) @ s["o"])
        x = ln(x + attend(split(x @ c["q"]), split(memory @ c["k"]), split(memory @ c["v"])) @ c["o"])
        x = ln(x + np.maximum(0, x @ p["w1"]) @ p["w2"])
    return x


def cached_step(x_new, cache, cross_kv, params):
    """x_new: 1×D embedding of the newest token. cache[l] = (K, V) lists for layer l; updated in place."""
    x = x_new
    for p, (ks, vs), (ck, cv) in zip(params, cache, cross_kv):
        s, c = p["self"], p["cross"]
        ks.append(split(x @ s["k"]))
        vs.append(split(x @ s["v"]))
        k, v = np.concatenate(ks, axis=1), np.concatenate(vs, axis=1)
        x = ln(x + attend(split(x @ s["q"]), k, v) @ s["o"])  # the newest query may see every cached key
        x = ln(x + attend(split(x @ c["q"]), ck, cv) @ c["o"])
        x = ln(x + np.maximum(0, x @ p["w1"]) @ p["w2"])
    return x


def step_flops(t, d, d_ff, n_src, cached):
    """FLOPs of one decoder layer at decoding step t (prefix length t, new token included)."""
    per_token = 4 * 2 * d * d + 2 * 2 * d * d + 2 * 2 * d * d_ff  # self Q,K,V,O; cross Q,O; FFN
    if cached:
        return per_token + 4 * t * d + 4 * n_src * d
    return t * per_token + 4 * t * t * d + 4 * t * n_src * d


@functools.lru_cache(maxsize=None)
def compute():
    g = rng(611)
    params = make_params(g)
    memory = g.standard_normal((NSRC, D))
    xs = g.standard_normal((STEPS, D))  # embeddings of the tokens fed at steps 1..STEPS
    cross_kv = [(split(memory @ p["cross"]["k"]), split(memory @ p["cross"]["v"])) for p in params]
    cache = [([], []) for _ in params]
    diffs = []
    for t in range(1, STEPS + 1):
        inc = cached_step(xs[t - 1:t], cache, cross_kv, params)
        full = full_forward(xs[:t], memory, params)[-1:]
        diffs.append(np.abs(inc - full).max())
    diffs = np.array(diffs)
    assert diffs.max() < 1e-10, diffs

    steps = np.arange(1, TS.max() + 1, dtype=np.int64)
    cum_c = np.cumsum(step_flops(steps, BASE_D, BASE_DFF, BASE_NSRC, True))
    cum_n = np.cumsum(step_flops(steps, BASE_D, BASE_DFF, BASE_NSRC, False))
    ratio = cum_n / cum_c
    for t_check in (64, 256, 1024):
        assert ratio[t_check - 1] > t_check / 3, (t_check, ratio[t_check - 1])
    return diffs, cum_c[TS - 1], cum_n[TS - 1], ratio[TS - 1]


def make(theme):
    import matplotlib.pyplot as plt

    diffs, cum_c, cum_n, ratio = compute()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7.6, 3.5), gridspec_kw={"width_ratios": [1, 1.4]})
    floor = 1e-18
    a1.semilogy(np.arange(1, STEPS + 1), np.maximum(diffs, floor), "o-", color=theme.palette[2])
    a1.axhline(1e-10, color=theme.palette[1], ls="--", lw=1)
    a1.text(1, 2e-10, "断言阈值 1e-10", fontsize=8, color=theme.palette[1])
    a1.set_ylim(floor / 3, 1e-6)
    a1.set_xticks([1, 4, 8, 12])
    a1.text(STEPS, 3e-18, "（差值为 0 时画在 1e-18）", fontsize=8, color=theme.muted, ha="right")
    a1.set_xlabel("解码步 t")
    a1.set_ylabel("|缓存 − 整段重算| 最大值")
    a1.set_title("KV 缓存结果与重算一致", fontsize=9)
    a1.grid(True, alpha=0.4)

    a2.loglog(TS, cum_n, color=theme.palette[1], lw=2, label="每步重算整段前缀")
    a2.loglog(TS, cum_c, color=theme.palette[0], lw=2, label="缓存过去的 K、V")
    a2.text(0.97, 0.05, f"T = {TS[-1]} 时相差 {ratio[-1]:.0f} 倍", transform=a2.transAxes, ha="right",
            fontsize=8, color=theme.fg)
    a2.set_xlabel("生成的 token 数 T")
    a2.set_ylabel("一层 Decoder 累计 FLOPs")
    a2.set_title("base 模型一层（d_model = 512，源长 32）", fontsize=9)
    a2.grid(True, which="major", alpha=0.4)
    a2.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig
