"""matplotlib figures as pixels (add_figure), drawn with the Agg backend."""

import numpy as np


def figure_pixels(figure, close):
    """The figure as a uint8 RGB array of shape (3, H, W)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
    except ImportError:  # pragma: no cover
        from ._tblog import InvalidTypeError
        raise InvalidTypeError("figure: add_figure needs matplotlib (Debian: python3-matplotlib)") from None
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    width, height = canvas.get_width_height()
    rgba = np.frombuffer(canvas.buffer_rgba(), dtype=np.uint8).reshape(height, width, 4)
    chw = np.ascontiguousarray(rgba[:, :, :3].transpose(2, 0, 1))
    if close:
        import matplotlib.pyplot as plt
        plt.close(figure)
    return chw
