#!/usr/bin/env python3
"""PyTorch eager reference for bench:gpu: the same networks, batch sizes and optimizer (Adam, lr 1e-3,
fp32), trained on random data on the GPU (or the CPU when there is none).

    python3 bench/gpu/reference.py [--steps 50] [--warmup 5] [--nets small-cnn,vgg6] > torch.json
    npm run -s bench:gpu -- --reference torch.json      # adds ours / PyTorch per figure

Prints {"framework", "device", "nets": {"small-cnn": {"64": {"images_per_s": …}, …}, …}}. Without
torch it prints {"skipped": "…"} and exits 0, so scripts can run it unconditionally.
"""
import argparse
import json
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--nets", default=",".join(NETS))
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
        "nets": {},
    }
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
