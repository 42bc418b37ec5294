#!/usr/bin/env python3
"""PyTorch eager reference for bench:gpu: the same networks, batch sizes and optimizer (Adam, lr 1e-3,
fp32), trained on random data on the GPU (or the CPU when there is none).

    python3 bench/gpu/reference.py [--steps 50] [--warmup 5] [--nets small-cnn,vgg6] > torch.json
    npm run -s bench:gpu -- --reference torch.json      # adds ours / PyTorch per figure

Prints {"framework", "device", "nets": {"small-cnn": {"64": {"images_per_s": …}, …}, …}}. Without
torch it prints {"skipped": "…"} and exits 0, so scripts can run it unconditionally.

    python3 bench/gpu/reference.py --data DIR [--epochs 2] [--batch 64] [--train N] [--test N]

instead trains the small CNN on every training image of a Fashion-MNIST folder (the four IDX files,
.gz or not) and measures it on every test image after each epoch, as bench:gpu:accuracy does:
prints {"framework", "device", "train", "test", "epochs": [{"epoch", "test_accuracy", …}], "test_accuracy"}.
"""
import argparse
import gzip
import json
import os
import sys
import time

NETS = {
    # conv32-conv64-pool-dense128 on 28×28×1 (resources/architectures/small-cnn.json)
    "small-cnn": {"input": (1, 28, 28), "batches": [64, 256]},
    # two 3×3 convolutions per width (64, 128, 256), a 2×2 max-pool after each pair, on 32×32×3
    "vgg6": {"input": (3, 32, 32), "batches": [128]},
}


def build(name, nn):
    relu = nn.ReLU
    if name == "small-cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), relu(), nn.Conv2d(32, 64, 3, padding=1), relu(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 14 * 14, 128), relu(), nn.Linear(128, 10),
        )
    layers, channels = [], 3
    for width in (64, 128, 256):
        layers += [nn.Conv2d(channels, width, 3, padding=1), relu(), nn.Conv2d(width, width, 3, padding=1), relu(), nn.MaxPool2d(2)]
        channels = width
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(256 * 4 * 4, 10))


def read_idx(folder, base):
    """An IDX file's payload (images: count × 28 × 28 bytes; labels: count bytes), .gz preferred."""
    path = os.path.join(folder, base + ".gz")
    opener = gzip.open if os.path.exists(path) else open
    with opener(path if opener is gzip.open else os.path.join(folder, base), "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return data[4 + 4 * dims:], shape


def accuracy(args, torch, nn, device):
    """The small CNN on real Fashion-MNIST: test accuracy after each epoch (Glorot init, as the product's builder)."""
    def split(images, labels, count):
        pixels, shape = read_idx(args.data, images)
        y, _ = read_idx(args.data, labels)
        n = shape[0] if count is None else min(count, shape[0])
        x = torch.frombuffer(bytearray(pixels), dtype=torch.uint8).reshape(shape[0], 1, shape[1], shape[2])[:n].float() / 255
        return x.to(device), torch.frombuffer(bytearray(y), dtype=torch.uint8)[:n].long().to(device)

    train_x, train_y = split("train-images-idx3-ubyte", "train-labels-idx1-ubyte", args.train)
    test_x, test_y = split("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", args.test)
    torch.manual_seed(0)
    model = build("small-cnn", nn).to(device)
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    epochs = []
    started = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(train_y), device=device)
        loss_sum = 0.0
        for start in range(0, len(order), args.batch):
            batch = order[start:start + args.batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(train_x[batch]), train_y[batch])
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach() * len(batch)
        model.eval()
        with torch.no_grad():
            correct = sum(int((model(test_x[i:i + 1000]).argmax(1) == test_y[i:i + 1000]).sum()) for i in range(0, len(test_y), 1000))
        epochs.append({"epoch": epoch, "test_accuracy": round(correct / len(test_y), 4), "train_loss": round(float(loss_sum) / len(train_y), 4)})
        print(f"pytorch epoch {epoch}: test accuracy {epochs[-1]['test_accuracy']}", file=sys.stderr)
    return {
        "train": len(train_y),
        "test": len(test_y),
        "batch": args.batch,
        "epochs": epochs,
        "test_accuracy": epochs[-1]["test_accuracy"],
        "seconds": round(time.perf_counter() - started, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--nets", default=",".join(NETS))
    parser.add_argument("--data", help="a Fashion-MNIST folder: measure accuracy instead of speed")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--train", type=int, help="with --data: only the first N training images")
    parser.add_argument("--test", type=int, help="with --data: only the first N test images")
    args = parser.parse_args()
    try:
        import torch
        from torch import nn
    except ImportError as error:
        print(json.dumps({"skipped": f"PyTorch is not installed here ({error})"}))
        print("reference.py: PyTorch is not installed; nothing measured", file=sys.stderr)
        return
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    result = {
        "framework": f"pytorch {torch.__version__} eager",
        "device": torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu",
    }
    if args.data:
        print(json.dumps({**result, **accuracy(args, torch, nn, device)}))
        return
    result["nets"] = {}
    for name in args.nets.split(","):
        spec = NETS[name]
        for batch in spec["batches"]:
            torch.manual_seed(0)
            model = build(name, nn).to(device)
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
            loss_fn = nn.CrossEntropyLoss()
            x = torch.randn(batch, *spec["input"], device=device)
            y = torch.randint(0, 10, (batch,), device=device)

            def step():
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(model(x), y)
                loss.backward()
                optimizer.step()
                return loss

            for _ in range(args.warmup):
                step()
            sync()
            started = time.perf_counter()
            for _ in range(args.steps):
                loss = step()
            loss.item()  # one read at the end, as bench:gpu's trainer reads in groups
            sync()
            seconds = time.perf_counter() - started
            images_per_s = batch * args.steps / seconds
            result["nets"].setdefault(name, {})[str(batch)] = {"images_per_s": round(images_per_s, 1)}
            print(f"pytorch {name} batch {batch}: {images_per_s:.0f} img/s", file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
