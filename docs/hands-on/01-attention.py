# %% [markdown]
# # 01 · 手写缩放点积注意力：padding mask 与 causal mask
#
# 面试里最常见的“手撕”题：用 NumPy 写出缩放点积注意力（scaled dot-product attention），并正确处理两种掩码（mask）：
# 遮住补齐位置的 padding mask，和不让位置看到未来的因果掩码（causal mask）。
# 对应的题目：[Q4 为什么除以 √d_k](../attention/q04-scaled-attention.md)、
# [Q5 如何对 padding 做 mask](../attention/q05-padding-mask.md)、
# [Q11 完整流程](../architecture/q11-end-to-end.md)（解码器里的因果掩码）。
#
# 本页约定：行向量；$Q\in\mathbb{R}^{n_q\times d_k}$，$K\in\mathbb{R}^{n_k\times d_k}$，$V\in\mathbb{R}^{n_k\times d_v}$，前面可以再加 batch 维；
# mask 是布尔数组，**True 表示“可以看”**（注意 PyTorch 的 `key_padding_mask` 恰好相反：True 表示“忽略”）。
#
# $$
# \operatorname{Attention}(Q,K,V)=\softmax\!\Big(\frac{QK^\top}{\sqrt{d_k}}+M\Big)V,\qquad
# M_{ij}=\begin{cases}0 & \text{可以看}\\ -\infty & \text{被遮住}\end{cases}
# $$

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)

# %% [markdown]
# ## 带掩码的 softmax
#
# 被遮住的分数设为 $-\infty$，$e^{-\infty}=0$，它的权重就精确为 0。
# 唯一的陷阱是**整行都被遮住**（例如长度为 0 的序列，或 padding 位置上的 query 再叠加因果掩码）：
# 这一行的最大值是 $-\infty$，朴素实现会算出 $-\infty-(-\infty)=\text{NaN}$，NaN 再经过矩阵乘法污染整个 batch 的梯度。
# 下面的实现把这种行的权重定义为全 0（输出为零向量），不产生 NaN，也不发出警告。

# %%
def masked_softmax(scores, mask):
    """沿最后一维做 softmax；mask 为 False 的位置权重精确为 0；整行被遮住时返回全 0。"""
    scores = np.where(mask, scores, -np.inf)
    row_max = scores.max(axis=-1, keepdims=True)
    row_max = np.where(np.isfinite(row_max), row_max, 0.0)  # 全被遮住的行：减 0，避免 -inf - (-inf)
    e = np.exp(scores - row_max)                              # 被遮住处 exp(-inf) = 0
    total = e.sum(axis=-1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def attention(Q, K, V, mask=None):
    """缩放点积注意力。Q: (..., n_q, d_k)，K: (..., n_k, d_k)，V: (..., n_k, d_v)；
    mask 可广播到 (..., n_q, n_k)，True = 可以看。返回 (输出, 注意力权重)。"""
    d_k = Q.shape[-1]
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(d_k)
    if mask is None:
        mask = np.ones(scores.shape, dtype=bool)
    weights = masked_softmax(scores, mask)
    return weights @ V, weights


# %% [markdown]
# ## 两种掩码怎么构造
#
# - **padding mask** 只看 key 的位置：第 $b$ 个序列长度为 $L_b$，则 key 位置 $j<L_b$ 可以看。形状 $(B,1,n)$，靠广播作用到每个 query。
# - **causal mask** 是下三角：query 位置 $i$ 只能看 $j\le i$。形状 $(1,n,n)$。
# - 解码器自注意力两者都要：逐元素取“与”，得到 $(B,n,n)$。

# %%
def padding_mask(lengths, n):
    """(B,) 的长度 -> (B, 1, n) 的 key 掩码。"""
    return (np.arange(n)[None, :] < np.asarray(lengths)[:, None])[:, None, :]


def causal_mask(n):
    """(1, n, n) 的下三角掩码：位置 i 只能看 j <= i。"""
    return np.tril(np.ones((n, n), dtype=bool))[None]


lengths = np.array([5, 3, 6, 0])  # 最后一个序列长度为 0：它的每一行都被整行遮住
B, n, d_k, d_v = len(lengths), 6, 8, 4
Q = rng.standard_normal((B, n, d_k))
K = rng.standard_normal((B, n, d_k))
V = rng.standard_normal((B, n, d_v))

pad = padding_mask(lengths, n)
both = pad & causal_mask(n)
out, w = attention(Q, K, V, both)
print("padding mask 形状", pad.shape, "| causal mask 形状", causal_mask(n).shape, "| 合并后", both.shape)
print("输出形状", out.shape, "| 权重形状", w.shape)
print("第 2 个序列（长度 3）的注意力权重：\n", w[1])

# %% [markdown]
# 第 2 个序列长度为 3：第 3 列及以后全是 0（padding），上三角也全是 0（未来）。
# 第 3 行以后的 query 本身是 padding，它们的输出在后续计算中应被丢弃（损失里同样要 mask 掉）。
#
# ## 慢速参考实现
#
# 用三重循环和 `math.exp` 逐元素照定义计算，不用任何向量化技巧，用来核对上面的实现。

# %%
def attention_loop(Q, K, V, mask):
    B, n_q, d_k = Q.shape
    n_k, d_v = V.shape[1], V.shape[2]
    mask = np.broadcast_to(mask, (B, n_q, n_k))
    out = np.zeros((B, n_q, d_v))
    for b in range(B):
        for i in range(n_q):
            visible = [j for j in range(n_k) if mask[b, i, j]]
            if not visible:
                continue  # 整行被遮住：输出零向量
            s = {j: sum(Q[b, i, t] * K[b, j, t] for t in range(d_k)) / math.sqrt(d_k) for j in visible}
            top = max(s.values())
            z = sum(math.exp(s[j] - top) for j in visible)
            for j in visible:
                out[b, i] += math.exp(s[j] - top) / z * V[b, j]
    return out


for name, m in [("无掩码", np.ones((1, n, n), bool)), ("padding", pad), ("causal", causal_mask(n)), ("padding+causal", both)]:
    diff = np.abs(attention(Q, K, V, m)[0] - attention_loop(Q, K, V, m)).max()
    print(f"{name:>15}: 与循环实现的最大差 {diff:.1e}")

# %% [markdown]
# ## Q5 里的不变性，逐条验证
#
# 1. **多补几个 padding，真实位置的输出不变。** 把序列从 6 补到 9，补的位置填上任意垃圾值（甚至很大的数），
#    真实 query 的输出应与不补时完全相同：被遮住的 key 权重精确为 0，$0\times\text{垃圾}=0$。
# 2. **padding 位置的 V 改成什么都不影响真实输出。**
# 3. **因果性：** 改动位置 $t$ 之后的输入，位置 $\le t$ 的输出不变。
# 4. **整行被遮住不产生 NaN。** 对比：用 $-\infty$ 的朴素 softmax 会得到 NaN；用 $-10^9$ 这类有限大负数则不会 NaN，
#    但整行被遮住时会变成对所有（padding）位置的平均——数值“正常”，意义却是错的，所以仍要靠损失掩码把它丢掉。

# %%
extra = 3
garbage = lambda shape: 1e3 * rng.standard_normal(shape)
Q9 = np.concatenate([Q, garbage((B, extra, d_k))], axis=1)
K9 = np.concatenate([K, garbage((B, extra, d_k))], axis=1)
V9 = np.concatenate([V, garbage((B, extra, d_v))], axis=1)
out9, w9 = attention(Q9, K9, V9, padding_mask(lengths, n + extra) & causal_mask(n + extra))

real = np.arange(n)[None, :] < lengths[:, None]  # (B, n)：真实 query 位置
gap_pad = np.abs(out9[:, :n][real] - out[real]).max()
print("1. 多补 3 个 padding 后真实位置输出的最大差：", gap_pad)

V_junk = V.copy()
V_junk[~real] = 1e6
gap_v = np.abs(attention(Q, K, V_junk, both)[0][real] - out[real]).max()
print("2. padding 位置 V 改成 1e6 后真实位置输出的最大差：", gap_v)

t = 2
K_future, V_future = K.copy(), V.copy()
K_future[:, t + 1:] = garbage((B, n - t - 1, d_k))
V_future[:, t + 1:] = garbage((B, n - t - 1, d_v))
out_c, _ = attention(Q, K_future, V_future, causal_mask(n))
out_ref, _ = attention(Q, K, V, causal_mask(n))
gap_c = np.abs(out_c[:, : t + 1] - out_ref[:, : t + 1]).max()
print(f"3. 改动位置 {t} 之后的 K、V，位置 0..{t} 输出的最大差：", gap_c)

scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(d_k)
with np.errstate(invalid="ignore"):  # 朴素写法会触发 "invalid value" 警告，这里只是演示
    naive = np.where(both, scores, -np.inf)
    naive = np.exp(naive - naive.max(-1, keepdims=True))
    naive = naive / naive.sum(-1, keepdims=True)
finite = np.where(both, scores, -1e9)
finite = np.exp(finite - finite.max(-1, keepdims=True))
finite = finite / finite.sum(-1, keepdims=True)
print("4. 长度 0 的序列：朴素 -inf 写法有 NaN？", bool(np.isnan(naive[3]).any()),
      "| -1e9 写法的第一行权重", finite[3, 0], "| 本页实现的输出", out[3, 0])

# %% [markdown]
# ## 看一眼权重
#
# 左：只有 padding mask（序列长度 3，右边三列是 0）；右：padding + causal（再加上上三角为 0）。

# %%
fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.0))
_, w_pad = attention(Q, K, V, pad)
for ax, mat, title in [(axes[0], w_pad[1], "padding mask"), (axes[1], w[1], "padding + causal")]:
    im = ax.imshow(mat, vmin=0, vmax=1, cmap="viridis")
    ax.set_title(title)
    ax.set_xlabel("key 位置 j")
    ax.set_ylabel("query 位置 i")
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
fig.colorbar(im, ax=axes, shrink=0.8, label="注意力权重")
plt.show()

# %% [markdown]
# ## 检查
#
# 以下断言在每次构建网站时运行；任何一条不成立，构建就失败。

# %%
for m in [np.ones((1, n, n), bool), pad, causal_mask(n), both]:
    assert np.allclose(attention(Q, K, V, m)[0], attention_loop(Q, K, V, m), rtol=0, atol=1e-12)
assert np.all(w[~np.broadcast_to(both, w.shape)] == 0.0)            # 被遮住的位置权重精确为 0
has_key = both.any(-1)                                                # 至少能看到一个 key 的行
assert np.allclose(w.sum(-1)[has_key], 1.0) and np.all(w.sum(-1)[~has_key] == 0.0)
assert gap_pad < 1e-12 and gap_v < 1e-12 and gap_c < 1e-12          # 三条不变性
assert not np.isnan(out).any() and np.all(out[3] == 0.0)             # 整行被遮住：无 NaN，输出零向量
assert np.isnan(naive[3]).all()                                       # 朴素写法确实会 NaN
assert np.allclose(finite[3], 1 / n)                                  # -1e9 写法：退化成平均
print("全部检查通过")
