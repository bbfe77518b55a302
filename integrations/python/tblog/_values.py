"""Turning what a caller passes (Python numbers, lists, numpy arrays and scalars, torch
tensors on any device) into numbers and C-contiguous numpy arrays for the C++ core, with
errors that name the argument."""

import math
import numbers

import numpy as np

from ._tblog import InvalidArgumentError, InvalidTypeError


def _is_torch_tensor(value):
    # Looked up by module name, so torch is imported only by callers that use it.
    cls = type(value)
    return cls.__module__.startswith("torch") and hasattr(value, "detach") and hasattr(value, "cpu")


def to_array(value, name):
    """A numpy array of `value`: torch tensors are detached and moved to the CPU (a copy
    only where the device needs one), numpy arrays are used as they are."""
    if isinstance(value, np.ndarray):
        return value
    if _is_torch_tensor(value):
        tensor = value.detach()
        if tensor.device.type != "cpu":
            tensor = tensor.cpu()
        import torch  # loaded already: a tensor was passed

        if tensor.dtype == torch.bfloat16:
            tensor = tensor.float()  # numpy has no bfloat16
        return tensor.numpy()
    if isinstance(value, (np.generic, numbers.Number, list, tuple)):
        try:
            array = np.asarray(value)
        except (ValueError, TypeError) as error:
            raise InvalidArgumentError(f"{name}: cannot be read as an array: {error}") from None
        if array.dtype == object:
            raise InvalidTypeError(f"{name}: holds values that are not numbers")
        return array
    raise InvalidTypeError(
        f"{name}: expected a number, list, numpy array or torch tensor, got {type(value).__name__}")


def to_number(value, name):
    """A float from a number, a numpy scalar or one-element array, or a one-element tensor."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (float, int)):
        try:
            return float(value)
        except OverflowError:
            raise InvalidArgumentError(f"{name}: {value} is too large for a float64") from None
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return float(value)
    if isinstance(value, (str, bytes)):
        raise InvalidTypeError(f"{name}: expected a number, got {type(value).__name__} {value!r}")
    array = to_array(value, name)
    if array.size != 1:
        raise InvalidArgumentError(
            f"{name}: expected one number, got an array of shape {tuple(array.shape)}")
    if array.dtype.kind not in "biuf":
        raise InvalidTypeError(f"{name}: expected a number, got dtype {array.dtype}")
    return float(array.reshape(()))


_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


def to_step(value, name="global_step"):
    """An int step; None is step 0, as PyTorch writes it. A fractional step is an error
    (PyTorch would truncate it silently): it is almost always a mix-up."""
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        if not _INT64_MIN <= value <= _INT64_MAX:
            raise InvalidArgumentError(f"{name}: {value} does not fit in a 64-bit step")
        return value
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, bool):
        raise InvalidTypeError(f"{name}: expected an int, got bool")
    if isinstance(value, (float, np.floating)):
        if math.isfinite(value) and float(value).is_integer():
            return to_step(int(value), name)
        raise InvalidArgumentError(
            f"{name}: must be a whole number, got {value!r}; pass int(step) to truncate it")
    if _is_torch_tensor(value) or isinstance(value, np.ndarray):
        array = to_array(value, name)
        if array.size == 1 and array.dtype.kind in "iu":
            return int(array.reshape(()))
        if array.size == 1 and array.dtype.kind == "f":
            return to_step(float(array.reshape(())), name)
        raise InvalidArgumentError(f"{name}: expected one integer, got shape {tuple(array.shape)}")
    raise InvalidTypeError(f"{name}: expected an int, got {type(value).__name__}")


def to_walltime(value):
    if value is None:
        return None
    wall = to_number(value, "walltime")
    if not math.isfinite(wall) or wall < 0:
        raise InvalidArgumentError(f"walltime: must be seconds since the epoch, got {value!r}")
    return wall


def to_tag(value, name="tag"):
    if isinstance(value, str):
        return value
    raise InvalidTypeError(f"{name}: expected a str, got {type(value).__name__}")


def pixels(array, name):
    """uint8 stays as it is; everything else becomes float32, which the core scales by 255
    and clips to [0, 255], as PyTorch does for every dtype but uint8."""
    if array.dtype == np.uint8:
        return array
    if array.dtype.kind not in "biuf":
        raise InvalidTypeError(f"{name}: pixels must be numbers, got dtype {array.dtype}")
    return array.astype(np.float32, copy=False)


def reorder(array, dataformats, target, name):
    """`array` laid out as `dataformats` (any order of the letters of `target`), as a
    C-contiguous array in the order `target`: a no-op when it is already that."""
    if not isinstance(dataformats, str):
        raise InvalidTypeError(f"dataformats: expected a str, got {type(dataformats).__name__}")
    formats = dataformats.upper()
    if sorted(formats) != sorted(target) or len(set(formats)) != len(formats):
        raise InvalidArgumentError(
            f"dataformats: '{dataformats}' is not an order of the letters {target}")
    if array.ndim != len(formats):
        raise InvalidArgumentError(
            f"{name}: has {array.ndim} dimensions {tuple(array.shape)}, dataformats "
            f"'{dataformats}' needs {len(formats)}")
    if formats != target:
        array = array.transpose([formats.index(c) for c in target])
    return np.ascontiguousarray(array)


def float_vector(value, name, dtype=np.float64):
    array = to_array(value, name)
    if array.dtype.kind not in "biuf":
        raise InvalidTypeError(f"{name}: expected numbers, got dtype {array.dtype}")
    return np.ascontiguousarray(array.reshape(-1), dtype=dtype)
