#!/usr/bin/python3
"""A Python client of tblog-data-server, as TensorBoard's own is: Debian's python3-grpcio,
stubs generated from proto/data_provider/ into a temporary folder, the server launched with
the flags TensorBoard passes and found through its port file."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

ARGS = None


def generate_stubs(proto_dir, out_dir):
    from grpc_tools import protoc
    import grpc_tools

    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    protos = [os.path.join("data_provider", n) for n in ("tensor.proto", "summary.proto", "data_provider.proto")]
    code = protoc.main(["protoc", "-I" + proto_dir, "-I" + well_known,
                        "--python_out=" + out_dir, "--grpc_python_out=" + out_dir] + protos)
    if code != 0:
        raise RuntimeError("protoc failed with %d" % code)
    sys.path.insert(0, out_dir)


class PythonClient(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="tblog_python_client_")
        generate_stubs(ARGS.proto_dir, cls.tmp.name)
        import grpc
        from data_provider import data_provider_pb2, data_provider_pb2_grpc

        cls.pb = data_provider_pb2
        cls.grpc = grpc
        cls.logdir = os.path.join(ARGS.golden, "torch")
        with open(os.path.join(ARGS.golden, "torch.expected.json")) as f:
            cls.expected = json.load(f)
        port_file = os.path.join(cls.tmp.name, "port")
        cls.server = subprocess.Popen(
            [ARGS.server, "--logdir=" + cls.logdir, "--reload=once",
             "--samples-per-plugin=scalars=all,images=all", "--port=0",
             "--port-file=" + port_file, "--die-after-stdin",
             "--error-file=" + os.path.join(cls.tmp.name, "startup_error")],
            stdin=subprocess.PIPE)
        port = None
        for _ in range(20):  # TensorBoard's own polling
            try:
                with open(port_file) as f:
                    text = f.read()
                if text.endswith("\n"):
                    port = int(text)
                    break
            except FileNotFoundError:
                pass
            time.sleep(0.5)
        if port is None:
            raise RuntimeError("no port file")
        options = [("grpc.max_receive_message_length", 256 * 1024 * 1024)]
        channel = grpc.secure_channel("localhost:%d" % port, grpc.local_channel_credentials(), options=options)
        cls.stub = data_provider_pb2_grpc.TensorBoardDataProviderStub(channel)
        cls.stub.GetExperiment(data_provider_pb2.GetExperimentRequest(), timeout=5)
        # Wait for the first load to finish: every run listed with its scalars.
        for _ in range(100):
            runs = cls.stub.ListRuns(data_provider_pb2.ListRunsRequest()).runs
            if len(runs) == 4 and all(r.start_time > 0 for r in runs):
                break
            time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        cls.server.stdin.close()  # --die-after-stdin
        cls.server.wait(timeout=10)
        cls.tmp.cleanup()

    def test_runs(self):
        runs = self.stub.ListRuns(self.pb.ListRunsRequest()).runs
        self.assertEqual([r.name for r in runs], self.expected["runs"])
        for r in runs:
            self.assertEqual(r.start_time, self.expected["per_run"][r.name]["first_event_timestamp"])

    def test_plugins(self):
        plugins = self.stub.ListPlugins(self.pb.ListPluginsRequest()).plugins
        self.assertEqual([p.name for p in plugins], self.expected["active_plugins"])

    def test_scalars(self):
        req = self.pb.ReadScalarsRequest()
        req.plugin_filter.plugin_name = "scalars"
        req.downsample.num_points = 1000
        res = self.stub.ReadScalars(req)
        seen = 0
        for run in res.runs:
            for tag in run.tags:
                points = self.expected["per_run"][run.run_name]["scalars"][tag.tag_name]["points"]
                self.assertEqual(list(tag.data.step), [p[0] for p in points])
                self.assertEqual(list(tag.data.wall_time), [p[1] for p in points])
                for got, want in zip(tag.data.value, points):
                    self.assertAlmostEqual(got, want[2], places=6)
                seen += 1
        self.assertEqual(seen, 6)

    def test_images_and_blobs(self):
        req = self.pb.ReadBlobSequencesRequest()
        req.plugin_filter.plugin_name = "images"
        req.downsample.num_points = 10
        res = self.stub.ReadBlobSequences(req)
        tag = [t for t in res.runs[0].tags if t.tag_name == "img/single"][0]
        want = self.expected["per_run"]["main"]["images"]["img/single"]
        self.assertEqual(list(tag.data.step), [p["step"] for p in want])
        for seq, exp in zip(tag.data.values, want):
            blobs = [b"".join(c.data for c in self.stub.ReadBlob(self.pb.ReadBlobRequest(blob_key=ref.blob_key)))
                     for ref in seq.blob_refs]
            self.assertEqual(blobs[0].decode(), exp["declared_width"])
            self.assertEqual(blobs[1].decode(), exp["declared_height"])
            self.assertEqual(len(blobs[2]), exp["images"][0]["bytes"])
            self.assertTrue(blobs[2].startswith(b"\x89PNG\r\n\x1a\n"))

    def test_errors(self):
        req = self.pb.ListScalarsRequest()
        with self.assertRaises(self.grpc.RpcError) as ctx:
            self.stub.ListScalars(req)
        self.assertEqual(ctx.exception.code(), self.grpc.StatusCode.INVALID_ARGUMENT)
        with self.assertRaises(self.grpc.RpcError) as ctx:
            list(self.stub.ReadBlob(self.pb.ReadBlobRequest(blob_key="%%%")))
        self.assertEqual(ctx.exception.code(), self.grpc.StatusCode.INVALID_ARGUMENT)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--proto-dir", required=True)
    parser.add_argument("--golden", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest)
