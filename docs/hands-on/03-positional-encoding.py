# %% [markdown]
# # 03 · 位置编码：正弦编码与 RoPE 的相对位置性质
#
# 本页实现原论文的正弦位置编码（sinusoidal positional encoding）和旋转位置编码 RoPE（rotary position embedding），
# 并逐条数值验证它们被引用最多的性质。对应的题目：
# [Q9 正弦位置编码](../embeddings/q09-sinusoidal-pe.md)、[Q10 位置编码家族](../embeddings/q10-positional-encodings.md)、
# [Q8 嵌入为何乘 √d_model](../embeddings/q08-embedding-scale.md)。
#
# 原论文的定义（偶数维放 sin、奇数维放 cos，即“交错”排列）：
#
# $$
# PE_{(p,2i)}=\sin\!\big(p\,\omega_i\big),\qquad PE_{(p,2i+1)}=\cos\!\big(p\,\omega_i\big),\qquad \omega_i=10000^{-2i/\dmodel}.
# $$

# %%
import matplotlib.pyplot as plt
import numpy as np

np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)


def sinusoidal_pe(n_pos, d_model, base=10000.0):
    pos = np.arange(n_pos)[:, None]
    omega = base ** (-np.arange(0, d_model, 2) / d_model)     # (d_model/2,)
    pe = np.zeros((n_pos, d_model))
    pe[:, 0::2] = np.sin(pos * omega)
    pe[:, 1::2] = np.cos(pos * omega)
    return pe, omega


d_model, n_pos = 64, 128
PE, omega = sinusoidal_pe(n_pos, d_model)
print("PE 形状", PE.shape, "| 频率从", omega[0], "降到", omega[-1].round(6))
print("每个位置向量的范数都是 √(d_model/2) =", np.sqrt(d_model / 2), "：", np.unique(np.linalg.norm(PE, axis=1).round(12)))

# %% [markdown]
# ## 性质一：平移是一个只依赖距离的旋转
#
# 每一对 $(\sin p\omega_i,\cos p\omega_i)$ 都是单位圆上的点，位置加 $k$ 就是再转过角度 $k\omega_i$。
# 用和角公式，按本站的行向量约定：
#
# $$
# PE_{p+k}=PE_p\,R(k),\qquad R(k)=\operatorname{diag}\!\big(R_0(k),\dots,R_{\dmodel/2-1}(k)\big),\quad
# R_i(k)=\begin{pmatrix}\cos k\omega_i & -\sin k\omega_i\\ \sin k\omega_i & \cos k\omega_i\end{pmatrix}.
# $$
#
# （写成列向量就是 $PE_{p+k}^\top=R(k)^\top PE_p^\top$。）$R(k)$ 只依赖 $k$，是正交矩阵，且 $R(k)R(j)=R(k+j)$。

# %%
def shift_matrix(k, omega):
    R = np.zeros((2 * len(omega), 2 * len(omega)))
    c, s = np.cos(k * omega), np.sin(k * omega)
    idx = np.arange(len(omega)) * 2
    R[idx, idx], R[idx, idx + 1], R[idx + 1, idx], R[idx + 1, idx + 1] = c, -s, s, c
    return R


shift_gap = 0.0
for k in (1, 5, 37):
    R = shift_matrix(k, omega)
    shift_gap = max(shift_gap, np.abs(PE[: n_pos - k] @ R - PE[k:]).max())   # 对所有 p 同一个 R(k)
orth_gap = np.abs(shift_matrix(7, omega) @ shift_matrix(7, omega).T - np.eye(d_model)).max()
group_gap = np.abs(shift_matrix(3, omega) @ shift_matrix(4, omega) - shift_matrix(7, omega)).max()
print(f"max |PE_p R(k) - PE_(p+k)| = {shift_gap:.1e}；R 的正交性误差 {orth_gap:.1e}；R(3)R(4) 与 R(7) 之差 {group_gap:.1e}")

# %% [markdown]
# ## 性质二：内积只依赖距离
#
# $$
# PE_p\cdot PE_{p+k}=\sum_i\big(\sin p\omega_i\sin(p+k)\omega_i+\cos p\omega_i\cos(p+k)\omega_i\big)=\sum_i\cos k\omega_i ,
# $$
#
# 与 $p$ 无关，并且对 $k$ 对称（$\cos$ 是偶函数）——所以单凭内积分不出“在前”还是“在后”。
# 还要注意：这是位置编码**自身**的内积；进入注意力后还要乘上 $W^Q{W^K}^\top$，再加上词向量的交叉项，
# 相对位置性质并不能原样保留到注意力分数里（见 Q9、Q10）。

# %%
ks = np.arange(-40, 41)
dots = np.array([[PE[p] @ PE[p + k] for p in range(40, 80)] for k in ks])   # 行：k，列：不同的 p
dot_spread = np.abs(dots - dots[:, :1]).max()
closed_form = np.array([np.cos(k * omega).sum() for k in ks])
print(f"同一 k、不同 p 的内积最大差 {dot_spread:.1e}；与闭式 Σcos(kω_i) 的最大差 {np.abs(dots[:, 0] - closed_form).max():.1e}")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.2, 2.9), gridspec_kw={"width_ratios": [1.2, 1]})
im = ax1.imshow(PE.T, aspect="auto", cmap="viridis", origin="lower")
ax1.set_xlabel("位置 p")
ax1.set_ylabel("维度")
ax1.set_title("正弦位置编码")
fig.colorbar(im, ax=ax1, shrink=0.85)
ax2.plot(ks, closed_form)
ax2.set_xlabel("相对距离 k")
ax2.set_ylabel("内积")
ax2.set_title("PE_p · PE_(p+k)")
ax2.grid(True)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## RoPE：把位置乘进 query 和 key
#
# RoPE 不把位置向量加到输入上，而是在算注意力分数之前，把位置 $m$ 的 query（和 key）的每一对维度旋转角度 $m\theta_i$，
# $\theta_i=10000^{-2i/d}$：$(x_{2i},x_{2i+1})\mapsto(x_{2i}\cos m\theta_i-x_{2i+1}\sin m\theta_i,\;x_{2i}\sin m\theta_i+x_{2i+1}\cos m\theta_i)$。
# 用上面的 $R$ 写成行向量形式是 $\tilde q_m=q\,R(m)^\top$，$\tilde k_n=k\,R(n)^\top$，于是（$R$ 正交且 $R(a)R(b)=R(a+b)$）
#
# $$
# \tilde q_m\cdot\tilde k_n=q\,R(m)^\top R(n)\,k^\top=q\,R(n-m)\,k^\top ,
# $$
#
# 分数只依赖相对位置 $m-n$（以及 $q,k$ 本身）。实现时不构造矩阵，逐对做二维旋转即可。

# %%
def rope(x, positions, base=10000.0):
    """x: (..., n, d)，把第 p 个位置的每对维度 (2i, 2i+1) 旋转 p·θ_i（交错排列，同 RoFormer 论文）。"""
    d = x.shape[-1]
    theta = base ** (-np.arange(0, d, 2) / d)
    angle = np.asarray(positions)[:, None] * theta                 # (n, d/2)
    cos, sin = np.cos(angle), np.sin(angle)
    x1, x2 = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2] = x1 * cos - x2 * sin
    out[..., 1::2] = x1 * sin + x2 * cos
    return out


d = 64
q, k = rng.standard_normal(d), rng.standard_normal(d)


def rope_score(m, n):
    return rope(q[None], [m])[0] @ rope(k[None], [n])[0]


pairs = [(m, n) for m in range(0, 60, 7) for n in range(0, 60, 5)]
score_gap = max(abs(rope_score(m, n) - rope_score(m + 13, n + 13)) for m, n in pairs)  # 同时平移 13
matrix_gap = abs(rope_score(9, 4) - q @ shift_matrix(4 - 9, 10000.0 ** (-np.arange(0, d, 2) / d)) @ k)

print(f"(m, n) 与 (m+13, n+13) 的分数最大差 {score_gap:.1e}；与 q R(n-m) kᵀ 之差 {matrix_gap:.1e}")
print("例：score(9,4) =", round(rope_score(9, 4), 6), "，score(30,25) =", round(rope_score(30, 25), 6),
      "，score(4,9) =", round(rope_score(4, 9), 6), "（距离相同但方向相反，分数不同）")

# %% [markdown]
# 与正弦编码的内积不同，RoPE 的分数**区分方向**：$m-n=5$ 和 $m-n=-5$ 一般不相等。
#
# 很多开源实现（如 GPT-NeoX、LLaMA 的代码）用“前一半、后一半”配对（`rotate_half`）而不是相邻两维配对。
# 两者只差一个固定的维度置换：只要 $W^Q,W^K$ 的列按同样的方式重排，模型完全等价。下面验证这一点。

# %%
def rope_half(x, positions, base=10000.0):
    d = x.shape[-1]
    theta = base ** (-np.arange(0, d, 2) / d)
    angle = np.asarray(positions)[:, None] * theta
    cos, sin = np.concatenate([np.cos(angle)] * 2, -1), np.concatenate([np.sin(angle)] * 2, -1)
    x1, x2 = x[..., : d // 2], x[..., d // 2:]
    return x * cos + np.concatenate([-x2, x1], -1) * sin


perm = np.concatenate([np.arange(0, d, 2), np.arange(1, d, 2)])   # 交错 -> 前后两半
X = rng.standard_normal((10, d))
half_gap = np.abs(rope_half(X[:, perm], np.arange(10)) - rope(X, np.arange(10))[:, perm]).max()
print(f"rotate_half 版本与交错版本（置换维度后）的最大差 {half_gap:.1e}")

# %% [markdown]
# ## 检查

# %%
assert shift_gap < 1e-12 and orth_gap < 1e-12 and group_gap < 1e-12     # PE_(p+k) = PE_p R(k)
assert dot_spread < 1e-12 and np.allclose(dots[:, 0], closed_form)     # 内积只依赖 k
assert np.allclose(closed_form, closed_form[::-1])                     # 且对 k 对称
assert score_gap < 1e-12 and matrix_gap < 1e-12                        # RoPE 分数只依赖 m - n
assert abs(rope_score(9, 4) - rope_score(4, 9)) > 1e-3                 # 但区分方向
Xr = rope(X, np.arange(10))
assert np.allclose(np.linalg.norm(Xr, axis=1), np.linalg.norm(X, axis=1))   # 旋转不改变范数
assert half_gap < 1e-12
print("全部检查通过")
