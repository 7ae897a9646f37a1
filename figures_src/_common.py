"""Helpers shared by figure scripts. Changing this file re-renders every figure (it is part of the cache key)."""
from __future__ import annotations

import numpy as np


def rng(seed: int = 0) -> np.random.Generator:
    """Every figure draws its random numbers from a seeded generator: same numbers, same SVG, every build."""
    return np.random.default_rng(seed)


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax (subtract the row maximum first)."""
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def softmax_jacobian_fro(p: np.ndarray) -> np.ndarray:
    """Frobenius norm of the softmax Jacobian diag(p) - p pᵀ for each row of p (last axis)."""
    n = p.shape[-1]
    jac = p[..., :, None] * np.eye(n) - p[..., :, None] * p[..., None, :]
    return np.sqrt((jac**2).sum(axis=(-2, -1)))
