"""Several Python threads adding at once lose nothing, and the GIL is released while a
large array is copied and bucketed, so other Python threads run meanwhile."""

import threading

import numpy as np

import tblog


def test_threads_adding_at_once_lose_nothing(logdir):
    threads_count, per_thread = 4, 5000
    image = np.zeros((3, 8, 8), np.uint8)
    with tblog.SummaryWriter(logdir) as w:
        def work(k):
            for i in range(per_thread):
                w.add_scalar(f"t{k}", float(i), i)
                if i % 1000 == 0:
                    w.add_image(f"img{k}", image, i)
                    w.add_histogram(f"h{k}", np.arange(100.0), i)
        threads = [threading.Thread(target=work, args=(k,)) for k in range(threads_count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    run = tblog.read(logdir)["."]
    for k in range(threads_count):
        steps = sorted(s for s, _, _ in run.scalars(f"t{k}"))
        assert steps == list(range(per_thread))
        assert len(run.values(f"img{k}")) == per_thread // 1000
        assert len(run.values(f"h{k}")) == per_thread // 1000


def test_gil_is_released_while_a_big_histogram_is_bucketed(logdir):
    values = np.random.RandomState(0).rand(20_000_000).astype(np.float32)
    progress = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            progress[0] += 1

    with tblog.SummaryWriter(logdir) as w:
        spinner = threading.Thread(target=spin)
        spinner.start()
        try:
            ran_during = []
            for step in range(3):
                before = progress[0]
                w.add_histogram("big", values, step)
                ran_during.append(progress[0] - before)
        finally:
            stop.set()
            spinner.join()
    # While the main thread was inside add_histogram, the other thread counted on.
    assert max(ran_during) > 0, ran_during
    run = tblog.read(logdir)["."]
    assert [v.histogram.num for _, _, v in run.values("big")] == [20_000_000] * 3
