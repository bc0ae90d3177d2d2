# Honest LeNet-5 gradients for the pre-aggregation / brsgd-robust experiments.
# FashionMNIST standardised (mean 0.2860, std 0.3530), 20 workers, batch 16 per worker, SGD
# lr 0.05 on the mean of the 20 honest momenta (a clean run), worker momentum 0.9.
# IID or Dirichlet(0.5) label split. At the given steps, writes the 20 raw gradients and
# the 20 worker momenta as float32 little-endian m x d files: <split>-s<step>-{grad,mom}.f32
import gzip, struct, sys, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(1)
split = sys.argv[1]; out = sys.argv[2]; steps = [int(s) for s in sys.argv[3].split(',')]
def idx(path):
    with gzip.open(path) as f:
        data = f.read()
    magic, n = struct.unpack('>II', data[:8])
    if magic == 2051:
        r, c = struct.unpack('>II', data[8:16]); return np.frombuffer(data, np.uint8, offset=16).reshape(n, r * c)
    return np.frombuffer(data, np.uint8, offset=8)
root = '/usr/share/datasets/fashion-mnist/'
X = (idx(root + 'train-images-idx3-ubyte.gz').astype(np.float32) / 255 - 0.2860) / 0.3530
Y = idx(root + 'train-labels-idx1-ubyte.gz').astype(np.int64)
X = torch.tensor(X).reshape(-1, 1, 28, 28); Y = torch.tensor(Y)
m, batch = 20, 16
rng = np.random.default_rng(1)
if split == 'iid':
    perm = rng.permutation(len(Y)); parts = np.array_split(perm, m)
else:
    parts = [[] for _ in range(m)]
    for k in range(10):
        ids = rng.permutation(np.where(Y.numpy() == k)[0])
        p = rng.dirichlet([0.5] * m); cuts = (np.cumsum(p) * len(ids)).astype(int)[:-1]
        for w, chunk in enumerate(np.split(ids, cuts)): parts[w] += chunk.tolist()
    parts = [np.array(p) for p in parts]
class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5, padding=2); self.c2 = nn.Conv2d(6, 16, 5)
        self.f1 = nn.Linear(400, 120); self.f2 = nn.Linear(120, 84); self.f3 = nn.Linear(84, 10)
    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2); x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.f3(F.relu(self.f2(F.relu(self.f1(x.flatten(1))))))
torch.manual_seed(1)
net = LeNet(); params = list(net.parameters()); d = sum(p.numel() for p in params)
assert d == 61706, d
mom = torch.zeros(m, d)
for t in range(1, max(steps) + 1):
    grads = torch.zeros(m, d)
    for w in range(m):
        ids = parts[w][rng.integers(0, len(parts[w]), batch)]
        net.zero_grad(); F.cross_entropy(net(X[ids]), Y[ids]).backward()
        grads[w] = torch.cat([p.grad.flatten() for p in params])
    mom = 0.9 * mom + 0.1 * grads
    step = mom.mean(0)
    with torch.no_grad():
        o = 0
        for p in params:
            n = p.numel(); p -= 0.05 * step[o:o + n].view_as(p); o += n
    if t in steps:
        grads.numpy().astype('<f4').tofile(f'{out}/{split}-s{t}-grad.f32')
        mom.numpy().astype('<f4').tofile(f'{out}/{split}-s{t}-mom.f32')
        with torch.no_grad():
            acc = (net(X[:5000]).argmax(1) == Y[:5000]).float().mean().item()
        print(split, t, 'train acc (5k)', round(acc, 3), 'norm mean', step.norm().item(), flush=True)
