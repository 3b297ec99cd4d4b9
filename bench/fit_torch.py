"""The fitting benchmark's training in PyTorch on the CPU, for comparison.

Same task as bench/fit-bench.ts: the same target pixels and starting weights
(written by that script), the same input features (x, y, r at pixel centres,
the shorter side spanning [-0.5, 0.5]), 8 tanh layers of 32, sigmoid RGB output,
mean squared error, Adam, random mini-batches reshuffled every epoch.

    python3 bench/fit_torch.py target.png init.json [seconds] [threads] [batch] [lr]
"""
import json
import sys
import time
import zlib


def read_png_rgb(path):
    """A plain 8-bit RGBA PNG without interlacing, as encodePng writes it: width, height, RGBA bytes."""
    data = open(path, 'rb').read()
    at, chunks, width, height = 8, [], 0, 0
    while at < len(data):
        length = int.from_bytes(data[at:at + 4], 'big')
        kind = data[at + 4:at + 8]
        body = data[at + 8:at + 8 + length]
        if kind == b'IHDR':
            width, height = int.from_bytes(body[0:4], 'big'), int.from_bytes(body[4:8], 'big')
            assert body[8] == 8 and body[9] == 6, 'expects 8-bit RGBA'
        elif kind == b'IDAT':
            chunks.append(body)
        at += 12 + length
    raw = zlib.decompress(b''.join(chunks))
    stride = width * 4
    rows, previous = [], bytearray(stride)
    for y in range(height):
        filter_type = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 4] if i >= 4 else 0
            b = previous[i]
            c = previous[i - 4] if i >= 4 else 0
            if filter_type == 1:
                line[i] = (line[i] + a) & 255
            elif filter_type == 2:
                line[i] = (line[i] + b) & 255
            elif filter_type == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif filter_type == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        previous = line
    return width, height, b''.join(rows)


def main():
    target_path, init_path = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 60
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    batch = int(sys.argv[5]) if len(sys.argv) > 5 else 4096
    lr = float(sys.argv[6]) if len(sys.argv) > 6 else 0.01
    import torch  # here, so that the PNG reader above runs without it

    torch.set_num_threads(threads)
    torch.manual_seed(3)

    width, height, rgba = read_png_rgb(target_path)
    rgb = torch.tensor(list(rgba), dtype=torch.float32).view(height, width, 4)[:, :, :3] / 255
    s = min(width, height)
    ys, xs = torch.meshgrid(torch.arange(height, dtype=torch.float32), torch.arange(width, dtype=torch.float32), indexing='ij')
    x = (xs + 0.5 - width / 2) / s
    y = (ys + 0.5 - height / 2) / s
    features = torch.stack([x, y, torch.sqrt(x * x + y * y)], dim=-1).view(-1, 3)
    targets = rgb.reshape(-1, 3)

    layers = json.load(open(init_path))['layers']
    modules = []
    for i, layer in enumerate(layers):
        linear = torch.nn.Linear(len(layer['weight'][0]), len(layer['weight']))
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(layer['weight']))
            linear.bias.copy_(torch.tensor(layer['bias']))
        modules += [linear, torch.nn.Tanh() if i < len(layers) - 1 else torch.nn.Sigmoid()]
    model = torch.nn.Sequential(*modules)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)

    pixels = features.shape[0]
    order, position, steps = torch.randperm(pixels), pixels, 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        if position >= pixels:
            order, position = torch.randperm(pixels), 0
        index = order[position:position + batch]
        position += batch
        optimiser.zero_grad(set_to_none=True)
        loss = torch.mean((model(features[index]) - targets[index]) ** 2)
        loss.backward()
        optimiser.step()
        steps += 1
    elapsed = time.perf_counter() - started
    with torch.no_grad():
        mse = torch.mean((model(features) - targets) ** 2).item()
    psnr = -10 * torch.log10(torch.tensor(mse)).item()
    print(f'PyTorch {torch.__version__}: {steps} steps in {elapsed:.1f} s = {steps / elapsed:.1f} steps/s on {threads} threads; PSNR {psnr:.2f} dB (last, whole picture)')


if __name__ == '__main__':
    main()
