# %% [markdown]
# # 02 · 手写多头注意力：拆头、合头与参数量
#
# 多头注意力（multi-head attention）在实现上只比单头多两步形状变换：把 $\dmodel$ 维拆成 $h$ 个 $d_k$ 维的头（split heads），
# 各头独立做缩放点积注意力，再把结果拼回 $\dmodel$ 维（merge heads）后乘 $W^O$。
# 本页把这两步写出来，验证“一个大矩阵 + reshape”与“$h$ 组小矩阵逐头计算”完全等价，并核对参数量的闭式公式。
# 对应的题目：[Q1 为什么用多头](../attention/q01-multi-head.md)、[Q6 每个头为何降维](../attention/q06-head-dimension.md)、
# [Q2 Q、K 为何用不同矩阵](../attention/q02-separate-qk-projections.md)。
#
# $$
# \operatorname{MultiHead}(X)=\operatorname{Concat}(\text{head}_1,\dots,\text{head}_h)W^O+b^O,\qquad
# \text{head}_i=\operatorname{Attention}(XW^Q_i+b^Q_i,\;XW^K_i+b^K_i,\;XW^V_i+b^V_i)
# $$
#
# 其中 $W^Q_i,W^K_i,W^V_i\in\mathbb{R}^{\dmodel\times d_k}$，$W^O\in\mathbb{R}^{hd_k\times\dmodel}$，$d_k=\dmodel/h$。

# %%
import numpy as np

np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)


def masked_softmax(scores, mask):
    """mask 为 True 的位置可以看；整行被遮住时权重全 0（见 01 页）。"""
    scores = np.where(mask, scores, -np.inf)
    row_max = scores.max(axis=-1, keepdims=True)
    e = np.exp(scores - np.where(np.isfinite(row_max), row_max, 0.0))
    total = e.sum(axis=-1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def attention(Q, K, V, mask):
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    weights = masked_softmax(scores, mask)
    return weights @ V, weights


# %% [markdown]
# ## 拆头与合头
#
# 把 $(B,n,\dmodel)$ 先 reshape 成 $(B,n,h,d_k)$——最后一维按头切成连续的 $d_k$ 段——再把头的维度换到前面得到 $(B,h,n,d_k)$，
# 这样后面的矩阵乘法自动对每个 $(b,\text{头})$ 独立进行。合头是它的逆：换回来再 reshape。
# 注意 reshape 前必须先 transpose 回 $(B,n,h,d_k)$，直接把 $(B,h,n,d_k)$ reshape 成 $(B,n,\dmodel)$ 会把不同位置的数据混在一起，形状对但结果错。

# %%
def split_heads(x, h):
    B, n, d_model = x.shape
    return x.reshape(B, n, h, d_model // h).transpose(0, 2, 1, 3)     # (B, h, n, d_k)


def merge_heads(x):
    B, h, n, d_k = x.shape
    return x.transpose(0, 2, 1, 3).reshape(B, n, h * d_k)              # (B, n, d_model)


def init_mha(d_model, seed=0):
    r = np.random.default_rng(seed)
    p = {}
    for name in ("Q", "K", "V", "O"):
        p["W" + name] = r.standard_normal((d_model, d_model)) / np.sqrt(d_model)
        p["b" + name] = 0.1 * r.standard_normal(d_model)
    return p


def multi_head_attention(p, x_q, x_kv, h, mask, verbose=False):
    """x_q: (B, n_q, d_model)，x_kv: (B, n_k, d_model)；自注意力时两者相同。"""
    Q = split_heads(x_q @ p["WQ"] + p["bQ"], h)
    K = split_heads(x_kv @ p["WK"] + p["bK"], h)
    V = split_heads(x_kv @ p["WV"] + p["bV"], h)
    heads, weights = attention(Q, K, V, mask[:, None])                  # mask 加一个头的维度再广播
    out = merge_heads(heads) @ p["WO"] + p["bO"]
    if verbose:
        for name, t in [("x", x_q), ("Q（拆头后）", Q), ("K", K), ("V", V), ("注意力权重", weights),
                        ("各头输出", heads), ("合头后", merge_heads(heads)), ("输出", out)]:
            print(f"{name:>10}: {t.shape}")
    return out, weights


B, n, d_model, h = 2, 5, 16, 4
x = rng.standard_normal((B, n, d_model))
lengths = np.array([5, 3])
mask = np.broadcast_to((np.arange(n)[None, :] < lengths[:, None])[:, None, :], (B, n, n))
p = init_mha(d_model)
out, weights = multi_head_attention(p, x, x, h, mask, verbose=True)

# %% [markdown]
# ## 与逐头计算对照
#
# 大矩阵 $W^Q\in\mathbb{R}^{\dmodel\times\dmodel}$ 的第 $i$ 段列 $W^Q[:,\,i d_k:(i+1)d_k]$ 就是第 $i$ 个头的 $W^Q_i$；
# $W^O$ 的第 $i$ 段行对应第 $i$ 个头的输出。按论文的公式逐头写一遍，应与上面的向量化实现一致。

# %%
def multi_head_loop(p, x, h, mask):
    d_k = x.shape[-1] // h
    heads = []
    for i in range(h):
        cols = slice(i * d_k, (i + 1) * d_k)
        Qi = x @ p["WQ"][:, cols] + p["bQ"][cols]
        Ki = x @ p["WK"][:, cols] + p["bK"][cols]
        Vi = x @ p["WV"][:, cols] + p["bV"][cols]
        heads.append(attention(Qi, Ki, Vi, mask)[0])
    return np.concatenate(heads, axis=-1) @ p["WO"] + p["bO"]


loop_gap = np.abs(multi_head_loop(p, x, h, mask) - out).max()
roundtrip_ok = np.array_equal(merge_heads(split_heads(x, h)), x)
print("逐头计算与向量化实现的最大差：", loop_gap)
print("merge_heads(split_heads(x)) == x：", roundtrip_ok)

right = np.swapaxes(split_heads(x, h), 1, 2).reshape(B, n, d_model)   # 正确的逆
bad = split_heads(x, h).reshape(B, n, d_model)                           # 漏掉 transpose 的错误写法
print("漏掉 transpose 的合头是否还原了 x：", np.array_equal(bad, x))

# %% [markdown]
# ## 参数量
#
# 四个 $\dmodel\times\dmodel$ 的投影矩阵加四个偏置：
#
# $$
# \#\text{params}=4\dmodel^2+4\dmodel ,
# $$
#
# 与头数 $h$ 无关——每个头降到 $d_k=\dmodel/h$ 维，正是为了让 $h$ 个头的总参数量和总计算量与单头全维注意力相同。
# 论文的 base 模型 $\dmodel=512$：$4\cdot512^2+4\cdot512=1\,050\,624$。

# %%
def n_params(p):
    return sum(w.size for w in p.values())


counts = {}
for d in (16, 64, 512):
    counts[d] = n_params(init_mha(d))
    print(f"d_model = {d:3d}: 实际 {counts[d]:>9,d}，公式 4d²+4d = {4 * d * d + 4 * d:>9,d}")

# 头数不改变参数量，只改变 reshape：h = 1, 2, 4, 8, 16 时输出形状相同
shapes = {hh: multi_head_attention(p, x, x, hh, mask)[0].shape for hh in (1, 2, 4, 8, 16)}
print("不同头数下的输出形状：", shapes)

# %% [markdown]
# ## 检查

# %%
assert out.shape == (B, n, d_model) and weights.shape == (B, h, n, n)
assert loop_gap < 1e-12 and roundtrip_ok and not np.array_equal(bad, x) and np.array_equal(right, x)
assert all(counts[d] == 4 * d * d + 4 * d for d in counts) and counts[512] == 1_050_624
assert set(shapes.values()) == {(B, n, d_model)}
assert np.all(weights[1][:, :, lengths[1]:] == 0.0)                 # padding 的 key 在每个头里都被遮住
assert np.allclose(weights.sum(-1), 1.0)
h1 = multi_head_attention(p, x, x, 1, mask)[0]                     # h = 1 就是普通的单头注意力
single = attention(x @ p["WQ"] + p["bQ"], x @ p["WK"] + p["bK"], x @ p["WV"] + p["bV"], mask)[0] @ p["WO"] + p["bO"]
assert np.allclose(h1, single, atol=1e-12)
print("全部检查通过")
