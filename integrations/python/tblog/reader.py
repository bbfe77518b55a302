"""Reading a logdir back: tblog.read(logdir) -> {run name: RunData}, with both CRCs of
every record checked and SessionLog START purges applied, as TensorBoard reads them."""

import os

from . import _tblog

# Plugin names of the dashboards, for values written without metadata (legacy fields).
_LEGACY_DASHBOARD = {"simple_value": "scalars", "image": "images", "histogram": "histograms",
                     "audio": "audio"}


class RunData:
    """The events of one run (a folder holding event files)."""

    def __init__(self, name, path, events, problems):
        self.name = name  # relative to the logdir; "." for the logdir itself
        self.path = path
        self.events = events  # tblog.Event objects, in file order
        self.problems = problems  # tblog.ReadProblem: truncated or corrupt files
        self._plugins = {}
        for event in events:
            for value in event.values:
                if value.has_metadata and value.tag not in self._plugins:
                    self._plugins[value.tag] = value.plugin_name
                elif value.tag not in self._plugins:
                    self._plugins[value.tag] = _LEGACY_DASHBOARD.get(value.kind, "")

    def values(self, tag):
        """[(step, wall_time, tblog.Value)] of a tag, in file order."""
        return [(e.step, e.wall_time, v) for e in self.events for v in e.values if v.tag == tag]

    def scalars(self, tag):
        """[(step, wall_time, float)] of a scalar tag (simple_value or a one-number tensor)."""
        points = []
        for step, wall_time, value in self.values(tag):
            if value.kind == "simple_value":
                points.append((step, wall_time, float(value.simple_value)))
            elif value.kind == "tensor":
                points.append((step, wall_time, float(value.tensor.numpy().reshape(-1)[0])))
        return points

    def tags(self):
        """{plugin name: sorted tags}: "scalars", "images", "histograms", "text", ..."""
        result = {}
        for tag, plugin in self._plugins.items():
            result.setdefault(plugin, []).append(tag)
        return {plugin: sorted(tags) for plugin, tags in sorted(result.items())}

    def plugin_of(self, tag):
        return self._plugins.get(tag, "")

    def graphs(self):
        """Serialized GraphDefs of the run, in file order."""
        return [e.graph_def for e in self.events if e.what == "graph_def"]

    def __repr__(self):
        return f"<RunData {self.name!r}: {len(self.events)} events, tags {self.tags()}>"


def read(logdir):
    """{run name: RunData} of every run under logdir (its own folder is run "."). Raises
    tblog.Error naming the logdir if it is missing or cannot be listed; a problem inside a
    file is kept in that run's `problems` and reading goes on with the next file."""
    runs, _unreadable = _tblog._find_runs(os.fspath(logdir))
    result = {}
    for run in runs:
        events, problems = _tblog._read_run(run)
        result[run.name] = RunData(run.name, run.path, events, problems)
    return result
