"""The same workloads as bench/gpu-bench.ts in PyTorch, for comparison: an
MLP over every pixel's coordinates, normal(0, 1) weights, tanh hidden layers
and a sigmoid output, the frame turned into 8-bit RGBA. CUDA where there is
one, else the CPU. Prints one JSON line per workload: ms per frame.

Usage: python3 gpu_torch.py W1,W3,W3-1080p [frames]
"""
import json
import sys
import time

import torch

WORKLOADS = {
    'W1': (512, 512, 2, 16),
    'W3': (1024, 1024, 4, 32),
    'W3-1080p': (1920, 1080, 4, 32),
}


def main() -> None:
    names = sys.argv[1].split(',')
    frames = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    torch.manual_seed(1)
    for name in names:
        width, height, inputs, hidden = WORKLOADS[name]
        layers = [inputs] + [hidden] * 8 + [3]
        weights = [(torch.randn(o, i, device=device), torch.randn(o, device=device)) for i, o in zip(layers[:-1], layers[1:])]
        s = min(width, height)
        ys, xs = torch.meshgrid(torch.arange(height, device=device), torch.arange(width, device=device), indexing='ij')
        x = ((xs + 0.5 - width / 2) / s).reshape(-1)
        y = ((ys + 0.5 - height / 2) / s).reshape(-1)
        columns = [x, y, torch.sqrt(x * x + y * y), torch.zeros_like(x)][:inputs]
        features = torch.stack(columns, dim=1)

        @torch.no_grad()
        def frame() -> torch.Tensor:
            a = features
            for k, (w, b) in enumerate(weights):
                a = torch.addmm(b, a, w.t())
                a = torch.sigmoid(a) if k == len(weights) - 1 else torch.tanh(a)
            rgb = (a * 255 + 0.5).clamp(0, 255).to(torch.uint8)
            return torch.cat([rgb, torch.full((rgb.shape[0], 1), 255, dtype=torch.uint8, device=device)], dim=1)

        for _ in range(3):
            frame()
        if device == 'cuda':
            torch.cuda.synchronize()
        started = time.perf_counter()
        for _ in range(frames):
            frame()
        if device == 'cuda':
            torch.cuda.synchronize()
        ms = (time.perf_counter() - started) * 1000 / frames
        print(json.dumps({'workload': name, 'device': torch.cuda.get_device_name() if device == 'cuda' else f'cpu ({torch.get_num_threads()} threads)', 'msPerFrame': ms}), flush=True)


main()
