"""Q3 图 1：加性打分与点积打分的实测耗时和中间张量内存随序列长度 n 的变化。

Claims (checked below), with d_k = d_a = 64, float32, numpy on one CPU thread, best of several runs:
* dot-product scores S = Q Kᵀ are one matrix multiplication; additive scores
  s_ij = vᵀ tanh(q_i W₁ + k_j W₂) need an n × n × d_a intermediate tensor and one tanh per element;
* at the largest n the additive scores take more than 3x as long as the dot-product scores
  (in practice the ratio is far larger; only this robust lower bound is asserted);
* the extra memory of additive scoring is exactly n²·d_a floats, i.e. d_a times the n × n score matrix.
Both are O(n²·d) in FLOPs; the difference is the intermediate tensor and the elementwise tanh.
"""
import contextlib
import ctypes
import functools
import glob
import os
import time

import numpy as np

from _common import rng

ALT = ("两幅对数坐标图：左图为序列长度 n 从 32 增到 384 时两种打分的实测耗时，加性打分始终比点积打分慢一个数量级以上；"
       "右图为打分所需中间张量的内存，点积只需 n×n 的分数矩阵，加性打分额外需要 n×n×d_a 的张量，大 d_a 倍。")

D = 64          # d_k (query/key width) and d_a (hidden width of additive attention)
NS = np.array([32, 64, 128, 256, 384])
REPEATS = 5


def dot_scores(q, k):
    return q @ k.T


def additive_scores(qp, kp, v):
    # qp = Q W1, kp = K W2 (projections done once, O(n·d·d_a), not counted in the pairwise cost)
    h = np.tanh(qp[:, None, :] + kp[None, :, :])   # n × n × d_a intermediate
    return h @ v


@contextlib.contextmanager
def single_thread_blas():
    """Pin OpenBLAS to one thread while timing (both scorers then run single-threaded, and a busy
    2-core build machine cannot stall a multi-threaded GEMM). Falls back to doing nothing."""
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs", "*openblas*"))
    fns = None
    for lib in libs:
        try:
            so = ctypes.CDLL(lib)
            for get, put in (("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
                             ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
                             ("openblas_get_num_threads", "openblas_set_num_threads")):
                if hasattr(so, get) and hasattr(so, put):
                    fns = getattr(so, get), getattr(so, put)
                    break
        except OSError:
            continue
        if fns:
            break
    if not fns:
        yield
        return
    get, put = fns
    old = get()
    put(ctypes.c_int(1))
    try:
        yield
    finally:
        put(ctypes.c_int(old))


def best_time(fn, *args):
    best = np.inf
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best


@functools.lru_cache(maxsize=None)
def compute():
    g = rng(3)
    t_dot, t_add = [], []
    for n in NS:
        q = g.standard_normal((n, D)).astype(np.float32)
        k = g.standard_normal((n, D)).astype(np.float32)
        w1 = (g.standard_normal((D, D)) / np.sqrt(D)).astype(np.float32)
        w2 = (g.standard_normal((D, D)) / np.sqrt(D)).astype(np.float32)
        v = (g.standard_normal(D) / np.sqrt(D)).astype(np.float32)
        qp, kp = q @ w1, k @ w2
        s_add = additive_scores(qp, kp, v)
        # sanity: the broadcast version equals the definition for one pair
        assert np.isclose(s_add[1, 2], v @ np.tanh(qp[1] + kp[2]), rtol=1e-4, atol=1e-5)
        assert dot_scores(q, k).shape == s_add.shape == (n, n)
        with single_thread_blas():
            t_dot.append(best_time(dot_scores, q, k))
            t_add.append(best_time(additive_scores, qp, kp, v))
    t_dot, t_add = np.array(t_dot), np.array(t_add)
    bytes_f32 = 4
    mem_dot = NS.astype(float) ** 2 * bytes_f32            # the n × n score matrix
    mem_add = NS.astype(float) ** 2 * D * bytes_f32         # the n × n × d_a intermediate (plus the same scores)
    assert np.allclose(mem_add / mem_dot, D)
    # Robust timing claim only: additive is slower by more than 3x at the largest n.
    assert t_add[-1] / t_dot[-1] > 3, (t_add, t_dot)
    return t_dot, t_add, mem_dot, mem_add


def make(theme):
    import matplotlib.pyplot as plt

    t_dot, t_add, mem_dot, mem_add = compute()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7.6, 3.4))
    a1.plot(NS, t_add * 1e3, "o-", color=theme.palette[1], label="加性：vᵀ tanh(qW₁ + kW₂)")
    a1.plot(NS, t_dot * 1e3, "s-", color=theme.palette[0], label="点积：Q Kᵀ（一次矩阵乘法）")
    a1.set_ylabel("耗时（毫秒，5 次取最快）")
    a1.set_title(f"打分耗时（单线程 CPU，d_k = d_a = {D}）", fontsize=9)
    a2.plot(NS, mem_add / 2**20, "o-", color=theme.palette[1], label="加性：n×n×d_a 中间张量")
    a2.plot(NS, mem_dot / 2**20, "s-", color=theme.palette[0], label="点积：n×n 分数矩阵")
    a2.set_ylabel("中间张量内存（MiB，float32）")
    a2.set_title(f"内存相差 d_a = {D} 倍", fontsize=9)
    for ax in (a1, a2):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("序列长度 n")
        ax.set_xticks(NS)
        ax.set_xticklabels([str(n) for n in NS])
        ax.grid(True, alpha=0.6)
    a1.set_ylim(t_dot.min() * 1e3 / 2, t_add.max() * 1e3 * 40)   # head room for the legend
    a2.set_ylim(mem_dot.min() / 2**20 / 2, mem_add.max() / 2**20 * 40)
    a1.legend(fontsize=8, frameon=True, loc="upper left")
    a2.legend(fontsize=8, frameon=True, loc="upper left")
    fig.tight_layout()
    return fig
