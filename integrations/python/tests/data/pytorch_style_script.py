# A training-log script written for torch.utils.tensorboard, in the style of PyTorch's
# documentation of SummaryWriter; it uses that API only.
import sys

import numpy as np
import torch
from torch.utils.tensorboard import SummaryWriter

logdir = sys.argv[1]
writer = SummaryWriter(logdir)
x = range(100)
for i in x:
    writer.add_scalar('y=2x', i * 2, i)
r = 5
for i in range(100):
    writer.add_scalars('run_14h', {'xsinx': i * np.sin(i / r),
                                   'xcosx': i * np.cos(i / r),
                                   'tanx': np.tan(i / r)}, i)
for i in range(10):
    x = np.random.random(1000)
    writer.add_histogram('distribution centers', x + i, i)
img = np.zeros((3, 100, 100))
img[0] = np.arange(0, 10000).reshape(100, 100) / 10000
img[1] = 1 - np.arange(0, 10000).reshape(100, 100) / 10000
img_HWC = np.zeros((100, 100, 3))
img_HWC[:, :, 0] = np.arange(0, 10000).reshape(100, 100) / 10000
img_HWC[:, :, 1] = 1 - np.arange(0, 10000).reshape(100, 100) / 10000
writer.add_image('my_image', img, 0)
writer.add_image('my_image_HWC', img_HWC, 0, dataformats='HWC')
img_batch = np.zeros((16, 3, 100, 100))
for i in range(16):
    img_batch[i, 0] = np.arange(0, 10000).reshape(100, 100) / 10000 / 16 * i
    img_batch[i, 1] = (1 - np.arange(0, 10000).reshape(100, 100) / 10000) / 16 * i
writer.add_images('my_image_batch', img_batch, 0)
img = torch.zeros((3, 100, 100))
box = torch.tensor([[10, 10, 40, 40], [40, 40, 60, 60]], dtype=torch.float)
writer.add_image_with_boxes('imagebox_label', img, box, 0, labels=['a', 'b'])
writer.add_text('lstm', 'This is an lstm', 0)
writer.add_text('rnn', 'This is an rnn', 10)
meta = []
while len(meta) < 100:
    meta = meta + list('abcdefghijklmnopqrstuvwxyz')
meta = meta[:100]
label_img = torch.rand(100, 3, 10, 32)
for i in range(100):
    label_img[i] *= i / 100.0
writer.add_embedding(torch.randn(100, 5), metadata=meta, label_img=label_img)
labels = np.random.randint(2, size=100)
predictions = np.random.rand(100)
writer.add_pr_curve('pr_curve', labels, predictions, 0)
vertices_tensor = torch.as_tensor([[1, 1, 1], [-1, -1, 1], [1, -1, -1], [-1, 1, -1]],
                                  dtype=torch.float).unsqueeze(0)
colors_tensor = torch.as_tensor([[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 0, 255]],
                                dtype=torch.int).unsqueeze(0)
faces_tensor = torch.as_tensor([[0, 2, 3], [0, 3, 1], [0, 1, 2], [1, 3, 2]],
                               dtype=torch.int).unsqueeze(0)
writer.add_mesh('my_mesh', vertices=vertices_tensor, colors=colors_tensor, faces=faces_tensor)
layout = {'Taiwan': {'twse': ['Multiline', ['twse/0050', 'twse/2330']]},
          'USA': {'dow': ['Margin', ['dow/aaa', 'dow/bbb', 'dow/ccc']],
                  'nasdaq': ['Margin', ['nasdaq/aaa', 'nasdaq/bbb', 'nasdaq/ccc']]}}
writer.add_custom_scalars(layout)
writer.add_video('video', torch.rand(1, 4, 3, 16, 16), 0, fps=4)
writer.add_audio('audio', torch.rand(1, 8000) * 2 - 1, 0, sample_rate=8000)
model = torch.nn.Sequential(torch.nn.Linear(10, 5), torch.nn.ReLU())
writer.add_graph(model, torch.rand(2, 10))
writer.close()
with SummaryWriter(logdir) as w:
    for i in range(5):
        w.add_hparams({'lr': 0.1 * i, 'bsize': i},
                      {'hparam/accuracy': 10 * i, 'hparam/loss': 10 * i}, run_name=f'trial{i}')
