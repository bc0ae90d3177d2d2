"""PyTorch helpers: a model's gradients as one flat float32 vector, and back; the rules on
tensors.

The order is that of ``model.parameters()`` (registration order), each tensor flattened in
row-major order — the layout a ``brsgd master --parameters init.npy`` holds. torch is
imported only when a helper is called, so ``import brsgd.torch`` works without it.

    >>> from brsgd.torch import parameters_vector, load_parameters, gradient_vector
    >>> np.save("init.npy", parameters_vector(model))           # the master's w_0
    >>> def fn(w):
    ...     load_parameters(model, w)
    ...     model.zero_grad(); loss = criterion(model(x), y); loss.backward()
    ...     return gradient_vector(model), loss.item()

    >>> from brsgd.torch import aggregate
    >>> g = aggregate(torch.randn(20, 1000), "krum", assumed_byzantine=4)   # CPU float32, (1000,)
    >>> g = aggregate([p1.grad, p2.grad, p3.grad], "median")                 # one tensor per worker
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["aggregate", "gradient_vector", "load_parameters", "parameter_count", "parameters_vector"]


def _torch():
    try:
        import torch
    except ImportError as error:  # pragma: no cover - exercised only without torch
        raise ImportError("brsgd.torch needs PyTorch: pip install torch") from error
    return torch


def _parameters(model: Any) -> list:
    return list(model.parameters())


def parameter_count(model: Any) -> int:
    """d: the number of scalars in ``model.parameters()``."""
    return sum(p.numel() for p in _parameters(model))


def parameters_vector(model: Any) -> np.ndarray:
    """The model's parameters, flattened in order into a new float32 array of length d."""
    torch = _torch()
    with torch.no_grad():
        flat = [p.detach().reshape(-1).to(device="cpu", dtype=torch.float32) for p in _parameters(model)]
        if not flat:
            return np.zeros(0, dtype=np.float32)
        return torch.cat(flat).numpy().copy()


def gradient_vector(model: Any, out: np.ndarray | None = None) -> np.ndarray:
    """The gradients of ``model.parameters()``, flattened in order into float32.

    A parameter without a gradient (``p.grad is None``: unused in the loss) contributes
    zeros. Writes into ``out`` (float32, length d) when given and returns it.
    """
    torch = _torch()
    parameters = _parameters(model)
    d = sum(p.numel() for p in parameters)
    if out is None:
        out = np.empty(d, dtype=np.float32)
    elif out.shape != (d,) or out.dtype != np.float32:
        raise ValueError(f"out must be a float32 array of shape ({d},), got {out.dtype} {out.shape}")
    target = torch.from_numpy(out)
    offset = 0
    with torch.no_grad():
        for p in parameters:
            n = p.numel()
            if p.grad is None:
                target[offset:offset + n].zero_()
            else:
                target[offset:offset + n].copy_(p.grad.reshape(-1))
            offset += n
    return out


def load_parameters(model: Any, vector: Any) -> None:
    """Copies the flat vector (length d, any float dtype) into ``model.parameters()``, in
    order, converting to each parameter's dtype and device."""
    torch = _torch()
    # A copy: the master's parameters arrive in a read-only buffer, which torch refuses to share.
    flat = torch.from_numpy(np.array(vector, copy=True).reshape(-1))
    parameters = _parameters(model)
    d = sum(p.numel() for p in parameters)
    if flat.numel() != d:
        raise ValueError(f"the vector has {flat.numel()} values; the model has {d} parameters")
    offset = 0
    with torch.no_grad():
        for p in parameters:
            n = p.numel()
            p.copy_(flat[offset:offset + n].reshape(p.shape))
            offset += n


def _matrix(gradients: Any):
    """The m × d float32 CPU tensor the rule reads: ``gradients`` itself (detached) when it
    is a 2-D, C-contiguous float32 CPU tensor, else one converted copy."""
    torch = _torch()
    if isinstance(gradients, torch.Tensor):
        if gradients.dim() != 2:
            raise ValueError(f"gradients must be a 2-D tensor (m rows by d columns) or a sequence of "
                             f"tensors, got a tensor of shape {tuple(gradients.shape)}")
        return gradients.detach().to(device="cpu", dtype=torch.float32).contiguous()
    tensors = [torch.as_tensor(t) for t in gradients]
    if not tensors:
        return torch.empty((0, 0), dtype=torch.float32)
    d = tensors[0].numel()
    matrix = torch.empty((len(tensors), d), dtype=torch.float32)
    with torch.no_grad():
        for i, tensor in enumerate(tensors):
            if tensor.numel() != d:
                raise ValueError(f"every tensor must hold the same number of values: tensor 0 has {d}, "
                                 f"tensor {i} has {tensor.numel()}")
            matrix[i].copy_(tensor.detach().reshape(-1))
    return matrix


def aggregate(gradients: Any, rule: Any = "brsgd", *, diagnostics: bool = False, **parameters: Any):
    """:func:`brsgd.aggregate` on tensors: the robust aggregate as a CPU float32 tensor of
    length d (with the diagnostics dict when ``diagnostics`` is true).

    ``gradients`` is an m × d tensor (one row per worker) or a sequence of m tensors of d
    values each (any shape: each is flattened in row-major order). Rule and parameters are
    those of :func:`brsgd.aggregate` (``assumed_byzantine=4``, ``beta=0.5``, …).

    No copy for a 2-D, C-contiguous float32 tensor on the CPU: the library reads its memory
    in place (``requires_grad`` or not; the result carries no autograd history), and the
    result is a tensor over the library's output array. Any other tensor (float64,
    transposed, on a GPU) is converted once; a sequence is stacked into one new m × d matrix.
    """
    from .aggregation import aggregate as aggregate_array

    torch = _torch()
    matrix = _matrix(gradients)
    result = aggregate_array(matrix.numpy(), rule, diagnostics=diagnostics, **parameters)
    if diagnostics:
        vector, information = result
        return torch.from_numpy(vector), information
    return torch.from_numpy(result)
