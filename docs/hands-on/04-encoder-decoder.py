# %% [markdown]
# # 04 · 完整的编码器–解码器前向传播与带 KV cache 的贪心解码
#
# 把前几页的部件拼成原论文的编码器–解码器（encoder–decoder）Transformer：嵌入乘 $\sqrt{\dmodel}$ 再加正弦位置编码，
# $N$ 层编码器（自注意力 + 前馈网络），$N$ 层解码器（带因果掩码的自注意力 + 交叉注意力 + 前馈网络），
# 每个子层都是 Post-LN：$\text{LN}(x+\text{Sublayer}(x))$。前向传播时打印每一个张量的形状。
# （原论文让输出投影与嵌入矩阵共享权重；本页权重是随机的，共享时模型几乎总在重复上一个 token，为了让解码结果不那么单调，这里用单独的输出矩阵。）
#
# 然后做贪心解码（greedy decoding）两遍：一遍每步把整个前缀重新算一次；一遍用 KV cache 只算新位置。
# 两者必须给出完全相同的 token，logits 差在 $10^{-10}$ 以内。
# 对应的题目：[Q11 完整流程](../architecture/q11-end-to-end.md)、[Q7 Encoder 模块](../architecture/q07-encoder.md)、
# [Q8 嵌入为何乘 √d_model](../embeddings/q08-embedding-scale.md)、[Q5 padding mask](../attention/q05-padding-mask.md)。
# 权重是随机初始化的（没有训练），所以译出的 token 没有意义；这里验证的是计算流程。训练见 [05](05-training.py)。

# %%
import numpy as np

np.set_printoptions(precision=4, suppress=True)

PAD, BOS, EOS = 0, 1, 2
VOCAB, D_MODEL, H, D_FF, N_LAYERS = 12, 16, 4, 32, 2
D_K = D_MODEL // H
VERBOSE = False


def show(name, t):
    if VERBOSE:
        print(f"{str(t.shape):<14} {name}")


def softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def layernorm(x, eps=1e-5):
    return (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps)   # γ=1, β=0


def sinusoidal_pe(n_pos, d_model):
    pos, i = np.arange(n_pos)[:, None], np.arange(0, d_model, 2)
    pe = np.zeros((n_pos, d_model))
    pe[:, 0::2], pe[:, 1::2] = np.sin(pos / 10000 ** (i / d_model)), np.cos(pos / 10000 ** (i / d_model))
    return pe


PE = sinusoidal_pe(64, D_MODEL)


def init_params(seed=0):
    r = np.random.default_rng(seed)
    dense = lambda n_in, n_out: r.standard_normal((n_in, n_out)) / np.sqrt(n_in)
    attn = lambda: {w: dense(D_MODEL, D_MODEL) for w in ("WQ", "WK", "WV", "WO")}
    ffn = lambda: {"W1": dense(D_MODEL, D_FF), "b1": np.zeros(D_FF), "W2": dense(D_FF, D_MODEL), "b2": np.zeros(D_MODEL)}
    return {
        "emb": r.standard_normal((VOCAB, D_MODEL)) / np.sqrt(D_MODEL),   # 乘 √d_model 后每维方差约为 1
        "out": dense(D_MODEL, VOCAB),
        "enc": [{"self": attn(), "ffn": ffn()} for _ in range(N_LAYERS)],
        "dec": [{"self": attn(), "cross": attn(), "ffn": ffn()} for _ in range(N_LAYERS)],
    }


# %% [markdown]
# ## 部件
#
# 多头注意力分成两半写：`kv` 把 key/value 的来源投影并拆头（KV cache 缓存的就是它的结果），`attend` 用 query 去查。
# 掩码约定同 01 页：True 表示可以看。

# %%
def split(x):                       # (B, n, d_model) -> (B, h, n, d_k)
    B, n, _ = x.shape
    return x.reshape(B, n, H, D_K).transpose(0, 2, 1, 3)


def merge(x):                       # (B, h, n, d_k) -> (B, n, d_model)
    B, _, n, _ = x.shape
    return x.transpose(0, 2, 1, 3).reshape(B, n, D_MODEL)


def kv(p, x, name):
    K, V = split(x @ p["WK"]), split(x @ p["WV"])
    show(f"{name}.K, V（拆头后）", K)
    return K, V


def attend(p, x, K, V, mask, name):
    Q = split(x @ p["WQ"])
    scores = Q @ K.transpose(0, 1, 3, 2) / np.sqrt(D_K)
    scores = np.where(mask[:, None], scores, -1e9)     # 这里不会出现整行被遮住（每行至少能看到自己或 BOS）
    out = merge(softmax(scores) @ V) @ p["WO"]
    show(f"{name}.Q", Q)
    show(f"{name}.scores / weights", scores)
    show(f"{name}.输出（合头、乘 W^O）", out)
    return out


def ffn(p, x, name):
    hidden = np.maximum(0, x @ p["W1"] + p["b1"])
    show(f"{name}.隐藏层", hidden)
    return hidden @ p["W2"] + p["b2"]


def embed(params, tokens, start=0):
    return params["emb"][tokens] * np.sqrt(D_MODEL) + PE[start : start + tokens.shape[1]]


# %% [markdown]
# ## 编码器与解码器
#
# 解码器自注意力的掩码是 padding 与因果掩码的“与”；交叉注意力的 query 来自解码器，key/value 来自编码器输出（memory），
# 掩码只遮源序列的 padding。

# %%
def encode(params, src):
    src_mask = (src != PAD)[:, None, :]                          # (B, 1, n_src)
    x = embed(params, src)
    show("src tokens", src)
    show("嵌入 ×√d_model + PE", x)
    for l, layer in enumerate(params["enc"]):
        K, V = kv(layer["self"], x, f"enc{l}.self")
        x = layernorm(x + attend(layer["self"], x, K, V, src_mask, f"enc{l}.self"))
        x = layernorm(x + ffn(layer["ffn"], x, f"enc{l}.ffn"))
        show(f"enc{l} 输出", x)
    return x, src_mask


def cross_kv(params, memory):
    """交叉注意力的 K、V 只依赖编码器输出：每层算一次，解码的每一步都复用。"""
    return [kv(layer["cross"], memory, f"dec{l}.cross") for l, layer in enumerate(params["dec"])]


def decode(params, tgt, memory_kv, src_mask, cache=None):
    """tgt: 解码器输入 (B, t)。cache 为 None：整段重算，用因果掩码；
    否则 tgt 只含新位置，cache[l] 里是第 l 层自注意力之前各位置的 (K, V)。"""
    start = 0 if cache is None else cache[0][0].shape[2]
    x = embed(params, tgt, start)
    n_new, n_all = tgt.shape[1], start + tgt.shape[1]
    causal = np.tril(np.ones((n_all, n_all), bool))[None, start:, :]   # (1, n_new, n_all)
    show("tgt tokens", tgt)
    show("嵌入 ×√d_model + PE", x)
    for l, layer in enumerate(params["dec"]):
        K, V = kv(layer["self"], x, f"dec{l}.self")
        if cache is not None:                                         # 拼上缓存的过去位置
            K, V = np.concatenate([cache[l][0], K], axis=2), np.concatenate([cache[l][1], V], axis=2)
            cache[l] = (K, V)
            show(f"dec{l}.self 缓存后的 K, V", K)
        x = layernorm(x + attend(layer["self"], x, K, V, causal, f"dec{l}.self"))
        Kc, Vc = memory_kv[l]
        x = layernorm(x + attend(layer["cross"], x, Kc, Vc, src_mask, f"dec{l}.cross"))
        x = layernorm(x + ffn(layer["ffn"], x, f"dec{l}.ffn"))
        show(f"dec{l} 输出", x)
    logits = x @ params["out"]
    show("logits", logits)
    return logits


# %% [markdown]
# ## 一次完整的前向传播，打印每个张量的形状
#
# 两条源序列，长度 6 和 4（后者补两个 PAD）；解码器输入是以 BOS 开头的 5 个 token（teacher forcing 时的情形）。

# %%
params = init_params(0)
rng = np.random.default_rng(1)
src = rng.integers(3, VOCAB, (2, 6))
src[1, 4:] = PAD
tgt = np.concatenate([np.full((2, 1), BOS), rng.integers(3, VOCAB, (2, 4))], axis=1)
print("src =\n", src, "\ntgt =\n", tgt, "\n")

VERBOSE = True
memory, src_mask = encode(params, src)
memory_kv = cross_kv(params, memory)
logits = decode(params, tgt, memory_kv, src_mask)
VERBOSE = False

# %% [markdown]
# ## 贪心解码：不用缓存 vs. 用 KV cache
#
# 不用缓存时，第 $t$ 步把长度为 $t$ 的整个前缀重新送进解码器，只取最后一个位置的 logits；
# 用缓存时只送入最新的一个 token，它的 K、V 追加到每层的缓存里。因为解码器是因果的，
# 旧位置的 K、V 不会因为后面来了新 token 而改变，所以两者在数学上完全相同。
# 交叉注意力的 K、V 两种方式都只算一次。

# %%
STEPS = 10


def greedy(params, src, use_cache):
    memory, src_mask = encode(params, src)
    memory_kv = cross_kv(params, memory)
    out = np.full((src.shape[0], 1), BOS)
    cache = [(np.zeros((src.shape[0], H, 0, D_K)),) * 2 for _ in params["dec"]] if use_cache else None
    step_logits, positions_computed = [], 0
    for _ in range(STEPS):
        inp = out[:, -1:] if use_cache else out
        logits = decode(params, inp, memory_kv, src_mask, cache)[:, -1]
        positions_computed += inp.shape[1]
        step_logits.append(logits)
        nxt = logits.argmax(-1)
        nxt = np.where((out == EOS).any(1), PAD, nxt)                # 已经结束的序列之后只补 PAD
        out = np.concatenate([out, nxt[:, None]], axis=1)
    return out, np.stack(step_logits, 1), positions_computed, cache


tokens_plain, logits_plain, work_plain, _ = greedy(params, src, use_cache=False)
tokens_cached, logits_cached, work_cached, cache = greedy(params, src, use_cache=True)
logit_gap = np.abs(logits_plain - logits_cached).max()
print("不用缓存：\n", tokens_plain)
print("用 KV cache：\n", tokens_cached)
print(f"逐步 logits 的最大差 {logit_gap:.1e}")
print(f"解码器处理的位置数：不用缓存 {work_plain}（= 1+2+…+{STEPS}），用缓存 {work_cached}")
print("缓存形状（每层 K 和 V 各一个）：", cache[0][0].shape,
      f"；共 {2 * N_LAYERS} 个，每条序列每个位置缓存 2·N·d_model = {2 * N_LAYERS * D_MODEL} 个数")

# %% [markdown]
# 缓存把解码器的工作量从 $O(T^2)$ 个位置降到 $O(T)$ 个（注意力本身对过去位置的点积仍是 $O(T)$ 每步），
# 代价是显存：每条序列每个位置要存 $2N\dmodel$ 个数。以原论文 base 模型（$N=6,\dmodel=512$）为例，每个位置 6144 个数。
#
# ## 检查

# %%
assert logits.shape == (2, tgt.shape[1], VOCAB) and memory.shape == (2, src.shape[1], D_MODEL)
assert np.array_equal(tokens_plain, tokens_cached)                 # 同样的 token
assert len(np.unique(tokens_plain[:, 1:])) >= 3                     # 而且不是一个 token 的简单重复
assert logit_gap < 1e-10                                            # 同样的 logits
assert work_plain == STEPS * (STEPS + 1) // 2 and work_cached == STEPS
assert cache[0][0].shape == (2, H, STEPS, D_K)
# 因果性：改变解码器输入的最后一个 token，不影响前面位置的 logits
tgt2 = tgt.copy()
tgt2[:, -1] = 3
assert np.allclose(decode(params, tgt2, memory_kv, src_mask)[:, :-1], logits[:, :-1], atol=1e-12)
# padding：改变源序列 PAD 位置的 token（但仍按 PAD 遮住）不影响输出
emb_pad = params["emb"][PAD].copy()
params["emb"][PAD] += 5.0
memory2, _ = encode(params, src)
params["emb"][PAD] = emb_pad
assert np.allclose(memory2[1, :4], memory[1, :4], atol=1e-12)
print("全部检查通过")
