# %% [markdown]
# # 05 · 从零训练一个 Transformer：手写反向传播
#
# 不用任何自动求导框架，只用 NumPy 写出一层 Transformer 的前向和**反向传播**（backpropagation），
# 把 softmax、注意力、LayerNorm 的梯度公式逐个写出来，用有限差分（finite differences）核对，
# 再用手写的 Adam 把它训练到能把一个序列**倒过来**。整页在 CPU 上几秒钟跑完。
#
# 对应的题目：[Q4 为什么除以 √d_k](../attention/q04-scaled-attention.md)（softmax 的梯度）、
# [Q12 LayerNorm](../architecture/q12-layernorm.md)、[Q7 Encoder 模块](../architecture/q07-encoder.md)、
# [Q10 位置编码家族](../embeddings/q10-positional-encodings.md)（这里用可学习的位置嵌入）。
#
# 模型（Pre-LN，单头，一层）：对输入 token 序列 $X$，
#
# $$
# \begin{aligned}
# E &= \text{Emb}[X] + P, & H_1 &= \text{LN}_1(E), & X_1 &= E + \softmax\!\Big(\frac{H_1W^Q (H_1W^K)^\top}{\sqrt{d}}\Big) H_1 W^V W^O,\\
# H_2 &= \text{LN}_2(X_1), & X_2 &= X_1 + \max(0, H_2W_1+c_1)W_2 + c_2, & \text{logits} &= \text{LN}_3(X_2)W_{\text{out}} + b_{\text{out}}.
# \end{aligned}
# $$

# %%
import matplotlib.pyplot as plt
import numpy as np

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 三个基本部件的前向与反向
#
# **softmax。** $p=\softmax(s)$ 的雅可比矩阵是 $\operatorname{diag}(p)-pp^\top$，所以给定上游梯度 $g=\partial\ell/\partial p$，
#
# $$
# \frac{\partial \ell}{\partial s} = p\odot\big(g - \langle g, p\rangle\big).
# $$
#
# 不需要显式构造 $n\times n$ 的雅可比矩阵。
#
# **注意力。** $S=QK^\top/\sqrt{d}$，$P=\softmax(S)$，$O=PV$。由矩阵乘法的求导规则：
# $\partial V = P^\top\partial O$，$\partial P=\partial O\,V^\top$，$\partial S$ 由上式得到，
# $\partial Q=\partial S\,K/\sqrt d$，$\partial K=\partial S^\top Q/\sqrt d$。
#
# **LayerNorm。** $\hat x=(x-\mu)/\sigma$，$\sigma=\sqrt{\operatorname{Var}(x)+\epsilon}$，$y=\gamma\odot\hat x+\beta$。记 $\hat g=\gamma\odot\partial y$，
# 对 $\mu$ 和 $\sigma$ 的依赖合在一起得到（均值沿特征维取）：
#
# $$
# \frac{\partial \ell}{\partial x}=\frac{1}{\sigma}\Big(\hat g-\operatorname{mean}(\hat g)-\hat x\odot\operatorname{mean}(\hat g\odot\hat x)\Big).
# $$

# %%
def softmax(s):
    s = s - s.max(axis=-1, keepdims=True)   # 减最大值：数值稳定，结果不变
    e = np.exp(s)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_backward(p, dp):
    return p * (dp - (dp * p).sum(axis=-1, keepdims=True))


def attention(q, k, v):
    d = q.shape[-1]
    p = softmax(q @ np.swapaxes(k, -1, -2) / np.sqrt(d))
    return p @ v, p


def attention_backward(do, q, k, v, p):
    d = q.shape[-1]
    dv = np.swapaxes(p, -1, -2) @ do
    ds = softmax_backward(p, do @ np.swapaxes(v, -1, -2)) / np.sqrt(d)
    return ds @ k, np.swapaxes(ds, -1, -2) @ q, dv


def layernorm(x, g, b, eps=1e-5):
    mu = x.mean(axis=-1, keepdims=True)
    rstd = 1.0 / np.sqrt(x.var(axis=-1, keepdims=True) + eps)
    xhat = (x - mu) * rstd
    return xhat * g + b, (xhat, rstd, g)


def layernorm_backward(dy, cache):
    xhat, rstd, g = cache
    gh = dy * g
    dx = rstd * (gh - gh.mean(-1, keepdims=True) - xhat * (gh * xhat).mean(-1, keepdims=True))
    batch_axes = tuple(range(dy.ndim - 1))
    return dx, (dy * xhat).sum(batch_axes), dy.sum(batch_axes)   # dx, dγ, dβ


# %% [markdown]
# ## 用有限差分核对每个部件
#
# 对任意函数 $f$，取随机的上游梯度 $G$，标量 $\ell=\langle f(x), G\rangle$ 的梯度就是反向传播要算的量。
# 中心差分 $\big(\ell(x+\varepsilon e_i)-\ell(x-\varepsilon e_i)\big)/2\varepsilon$ 的截断误差是 $O(\varepsilon^2)$，
# 在 float64 下取 $\varepsilon=10^{-6}$，相对误差应远小于 $10^{-6}$。

# %%
rng = np.random.default_rng(0)


def numeric_grad(f, x, G, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = np.sum(f(x) * G)
        x[i] = old - eps
        down = np.sum(f(x) * G)
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


def rel_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


component_errors = {}

s = rng.standard_normal((3, 5))
G = rng.standard_normal((3, 5))
component_errors["softmax"] = rel_error(softmax_backward(softmax(s), G), numeric_grad(softmax, s, G))

q, k, v = (rng.standard_normal((2, 4, 6)) for _ in range(3))
G = rng.standard_normal((2, 4, 6))
dq, dk, dv = attention_backward(G, q, k, v, attention(q, k, v)[1])
component_errors["attention dQ"] = rel_error(dq, numeric_grad(lambda x: attention(x, k, v)[0], q, G))
component_errors["attention dK"] = rel_error(dk, numeric_grad(lambda x: attention(q, x, v)[0], k, G))
component_errors["attention dV"] = rel_error(dv, numeric_grad(lambda x: attention(q, k, x)[0], v, G))

x = rng.standard_normal((2, 3, 8))
gamma, beta = rng.standard_normal(8), rng.standard_normal(8)
G = rng.standard_normal((2, 3, 8))
dx, dgamma, dbeta = layernorm_backward(G, layernorm(x, gamma, beta)[1])
component_errors["LayerNorm dx"] = rel_error(dx, numeric_grad(lambda z: layernorm(z, gamma, beta)[0], x, G))
component_errors["LayerNorm dγ"] = rel_error(dgamma, numeric_grad(lambda z: layernorm(x, z, beta)[0], gamma, G))
component_errors["LayerNorm dβ"] = rel_error(dbeta, numeric_grad(lambda z: layernorm(x, gamma, z)[0], beta, G))
for name, err in component_errors.items():
    print(f"{name:>13}: 相对误差 {err:.1e}")

# %% [markdown]
# ## 整个模型
#
# 任务：输入长度 $L=8$、取值 $0..9$ 的随机序列，输出它的倒序。位置嵌入 $P$ 是可学习参数：
# 倒序完全取决于位置，模型必须学会让位置 $i$ 的 query 去找位置 $L-1-i$ 的 key。
# 前向时把反向需要的中间量存进 `cache`；反向严格按前向的逆序，残差连接处梯度相加。

# %%
VOCAB, L, D, D_FF = 10, 8, 32, 64


def init_params(seed):
    r = np.random.default_rng(seed)

    def dense(n_in, n_out):
        return r.standard_normal((n_in, n_out)) / np.sqrt(n_in)

    return {
        "emb": r.standard_normal((VOCAB, D)), "pos": r.standard_normal((L, D)),
        "g1": np.ones(D), "b1": np.zeros(D),
        "Wq": dense(D, D), "Wk": dense(D, D), "Wv": dense(D, D), "Wo": dense(D, D),
        "g2": np.ones(D), "b2": np.zeros(D),
        "W1": dense(D, D_FF), "c1": np.zeros(D_FF), "W2": dense(D_FF, D), "c2": np.zeros(D),
        "g3": np.ones(D), "b3": np.zeros(D), "Wout": dense(D, VOCAB), "bout": np.zeros(VOCAB),
    }


def forward(p, X):
    c = {"X": X}
    e = p["emb"][X] + p["pos"]                       # (B, L, D)
    c["h1"], c["ln1"] = layernorm(e, p["g1"], p["b1"])
    c["q"], c["k"], c["v"] = c["h1"] @ p["Wq"], c["h1"] @ p["Wk"], c["h1"] @ p["Wv"]
    c["o"], c["P"] = attention(c["q"], c["k"], c["v"])
    x1 = e + c["o"] @ p["Wo"]                        # 残差 1
    c["h2"], c["ln2"] = layernorm(x1, p["g2"], p["b2"])
    c["u"] = c["h2"] @ p["W1"] + p["c1"]
    c["r"] = np.maximum(c["u"], 0.0)
    x2 = x1 + c["r"] @ p["W2"] + p["c2"]             # 残差 2
    c["h3"], c["ln3"] = layernorm(x2, p["g3"], p["b3"])
    return c["h3"] @ p["Wout"] + p["bout"], c        # logits: (B, L, VOCAB)


def cross_entropy(logits, Y):
    """平均交叉熵和它对 logits 的梯度 (softmax - onehot) / N。"""
    prob = softmax(logits).reshape(-1, VOCAB)
    rows = np.arange(Y.size)
    loss = -np.log(prob[rows, Y.ravel()]).mean()
    prob[rows, Y.ravel()] -= 1.0
    return loss, prob.reshape(logits.shape) / Y.size


def backward(p, c, dlogits):
    flat = lambda a: a.reshape(-1, a.shape[-1])
    g = {"Wout": flat(c["h3"]).T @ flat(dlogits), "bout": dlogits.sum((0, 1))}
    dx2, g["g3"], g["b3"] = layernorm_backward(dlogits @ p["Wout"].T, c["ln3"])
    g["W2"], g["c2"] = flat(c["r"]).T @ flat(dx2), dx2.sum((0, 1))
    du = (dx2 @ p["W2"].T) * (c["u"] > 0)             # ReLU
    g["W1"], g["c1"] = flat(c["h2"]).T @ flat(du), du.sum((0, 1))
    dx1, g["g2"], g["b2"] = layernorm_backward(du @ p["W1"].T, c["ln2"])
    dx1 += dx2                                        # 残差 2：两路梯度相加
    g["Wo"] = flat(c["o"]).T @ flat(dx1)
    dq, dk, dv = attention_backward(dx1 @ p["Wo"].T, c["q"], c["k"], c["v"], c["P"])
    g["Wq"], g["Wk"], g["Wv"] = (flat(c["h1"]).T @ flat(d) for d in (dq, dk, dv))
    de, g["g1"], g["b1"] = layernorm_backward(dq @ p["Wq"].T + dk @ p["Wk"].T + dv @ p["Wv"].T, c["ln1"])
    de += dx1                                         # 残差 1
    g["pos"] = de.sum(0)
    g["emb"] = np.zeros_like(p["emb"])
    np.add.at(g["emb"], c["X"], de)                   # 同一个 token 出现多次：梯度累加
    return g


# %% [markdown]
# 整个模型的梯度同样用有限差分核对：每个参数张量随机抽 6 个元素。参数先加一点噪声，
# 避免 LayerNorm 的 $\gamma=1,\beta=0$ 这类特殊值掩盖错误。

# %%
def loss_of(p, X, Y):
    return cross_entropy(forward(p, X)[0], Y)[0]


check_rng = np.random.default_rng(1)
p = {name: w + 0.1 * check_rng.standard_normal(w.shape) for name, w in init_params(1).items()}
X = check_rng.integers(0, VOCAB, (4, L))
Y = X[:, ::-1]
logits, cache = forward(p, X)
grads = backward(p, cache, cross_entropy(logits, Y)[1])
model_errors = {}
for name, w in p.items():
    picks = [tuple(int(check_rng.integers(0, n)) for n in w.shape) for _ in range(6)]
    numeric = []
    for i in picks:
        old = w[i]
        w[i] = old + 1e-6
        up = loss_of(p, X, Y)
        w[i] = old - 1e-6
        down = loss_of(p, X, Y)
        w[i] = old
        numeric.append((up - down) / 2e-6)
    model_errors[name] = rel_error(np.array([grads[name][i] for i in picks]), np.array(numeric))
print("参数量：", sum(w.size for w in p.values()))
print("各参数梯度的相对误差（最大）：", f"{max(model_errors.values()):.1e}",
      "，出现在", max(model_errors, key=model_errors.get))

# %% [markdown]
# ## 训练
#
# Adam（$\beta_1=0.9,\beta_2=0.98$，与原论文相同），学习率 $3\times10^{-3}$，每步 64 条随机序列。
# 留出集（held-out）：按一个固定的哈希把所有序列分成两份，训练时遇到留出集里的序列就丢掉，
# 所以模型从没见过留出集里的任何一条。训练 400 步，每 25 步在留出集上测一次逐 token 准确率。

# %%
HASH = np.array([3, 7, 11, 13, 17, 19, 23, 29])


def held_out(X):
    return (X @ HASH) % 10 == 0                      # 约十分之一的序列只用于测试


data_rng = np.random.default_rng(42)
X_test = data_rng.integers(0, VOCAB, (4000, L))
X_test = X_test[held_out(X_test)]
Y_test = X_test[:, ::-1]

params = init_params(0)
m = {k: np.zeros_like(w) for k, w in params.items()}
s = {k: np.zeros_like(w) for k, w in params.items()}
lr, beta1, beta2, eps = 3e-3, 0.9, 0.98, 1e-9
losses, evals = [], []
solved_at = None
for step in range(1, 401):
    X = data_rng.integers(0, VOCAB, (80, L))
    X = X[~held_out(X)][:64]
    logits, cache = forward(params, X)
    loss, dlogits = cross_entropy(logits, X[:, ::-1])
    grads = backward(params, cache, dlogits)
    for k in params:
        m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
        s[k] = beta2 * s[k] + (1 - beta2) * grads[k] ** 2
        params[k] -= lr * (m[k] / (1 - beta1**step)) / (np.sqrt(s[k] / (1 - beta2**step)) + eps)
    losses.append(loss)
    if step % 25 == 0:
        acc = (forward(params, X_test)[0].argmax(-1) == Y_test).mean()
        evals.append((step, acc))
        solved_at = solved_at or (step if acc >= 0.99 else None)
        if step % 100 == 0 or step == solved_at:
            print(f"step {step:4d}  训练损失 {loss:.4f}  留出集逐 token 准确率 {acc:.4f}")

pred = forward(params, X_test)[0].argmax(-1)
token_acc = (pred == Y_test).mean()
seq_acc = (pred == Y_test).all(axis=1).mean()
print(f"第 {solved_at} 步起留出集准确率 ≥ 0.99；训练结束时，留出集 {len(X_test)} 条：逐 token 准确率 {token_acc:.4f}，整条序列全对 {seq_acc:.4f}")
print("例：", X_test[0], "->", pred[0])

# %% [markdown]
# ## 损失曲线与学到的注意力
#
# 右图是一条留出序列的注意力权重：几乎全部集中在反对角线上——位置 $i$ 的 query 找的正是位置 $L-1-i$。

# %%
_, cache = forward(params, X_test[:1])
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.2, 3.0), gridspec_kw={"width_ratios": [1.6, 1]})
ax1.semilogy(np.arange(1, len(losses) + 1), losses)
ax1.set_xlabel("训练步数")
ax1.set_ylabel("交叉熵损失（对数轴）")
ax1.grid(True)
im = ax2.imshow(cache["P"][0], vmin=0, vmax=1, cmap="viridis")
ax2.set_xlabel("key 位置")
ax2.set_ylabel("query 位置")
ax2.set_title("注意力权重")
fig.colorbar(im, ax=ax2, shrink=0.85)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 检查

# %%
assert max(component_errors.values()) < 1e-6, component_errors      # softmax、注意力、LayerNorm 的反向
assert max(model_errors.values()) < 1e-6, model_errors              # 整个模型的反向
assert token_acc >= 0.99 and seq_acc >= 0.95                        # 在从没见过的序列上解决了任务
assert not held_out(X).any() and held_out(X_test).all()             # 训练与留出集确实不相交
assert losses[-1] < 0.05 * losses[0]
anti = cache["P"][0][np.arange(L), np.arange(L)[::-1]]
assert anti.mean() > 0.9                                            # 注意力学成了反对角线
print("全部检查通过")
