"""One kbrd training step in PyTorch, the same model and batch as src/models/kbrd.ts (bench/train/kbrd-step.ts).

R-GCN (one layer, basis decomposition, mean aggregation per relation, both edge directions, self-loop Linear,
residual) computed for the rows the batch needs (every item + the batch's context entities), self-attention
pooling over each context's last entities (a learned "empty" row for contexts with none), logits = user . E_items^T
+ item bias, softmax cross-entropy, clip-norm, AdamW (no decay on biases).

Run: /usr/bin/python3 bench/train/kbrd_step.py <batch.json> [THREADS ...]   (batch written by bench/train/kbrd-step.ts;
threads default to 1 and 2). torch.set_num_threads does not bound OpenBLAS's own threads: bench/train/kbrd-step.ts
runs the 1-thread rows with OPENBLAS_NUM_THREADS=1.
The R-GCN messages run two ways: dense ([rows, R·d] aggregated inputs times the stacked W_r, the plain PyTorch
formulation) and per relation (src/models/rgcn.ts's formulation); the same function, different speed.
Prints one JSON line: [{"threads", "messages", "ms", "cpu_ms", "first_loss", "last_loss"}, ...] for each thread
count and formulation.
"""
import json
import math
import statistics
import sys
import time

import torch


class Kbrd(torch.nn.Module):
    def __init__(self, spec: dict, per_relation: bool):
        super().__init__()
        cfg = spec["config"]
        dim, bases, att = cfg["dim"], cfg["bases"], cfg["attentionDim"]
        n, r = spec["entityCount"], 2 * spec["relations"]
        self.dim, self.relation_count = dim, r
        self.entities = torch.nn.Parameter(torch.randn(n, dim) / math.sqrt(dim))
        bound = math.sqrt(3 / dim)
        self.bases = torch.nn.Parameter(torch.empty(bases, dim * dim).uniform_(-bound, bound))
        self.coefficients = torch.nn.Parameter(torch.nn.init.xavier_uniform_(torch.empty(r, bases)))
        self.self_loop = torch.nn.Linear(dim, dim)
        self.empty = torch.nn.Parameter(torch.randn(1, dim) / math.sqrt(dim))
        self.attention = torch.nn.Parameter(torch.nn.init.xavier_uniform_(torch.empty(dim, att)))
        self.attention_vector = torch.nn.Parameter(torch.nn.init.xavier_uniform_(torch.empty(att, 1)))
        # Starts at the log label prior of the train samples, as our trainer does (train.itemPrior).
        self.item_bias = torch.nn.Parameter(torch.tensor(spec["itemBias"]))
        self.item_entity = torch.tensor(spec["itemEntity"], dtype=torch.long)
        heads = torch.tensor(spec["heads"], dtype=torch.long)
        tails = torch.tensor(spec["tails"], dtype=torch.long)
        rel = torch.tensor(spec["relationIds"], dtype=torch.long)
        # Relation r: head -> tail; relation r + R: tail -> head.
        self.src = torch.cat([heads, tails])
        self.dst = torch.cat([tails, heads])
        self.rel = torch.cat([rel, rel + spec["relations"]])
        # Mean aggregation weight: 1 / (edges of this relation into the destination).
        key = self.dst * r + self.rel
        counts = torch.bincount(key, minlength=n * r).float()
        self.norm = 1.0 / counts[key]
        self.entity_count = n
        self.per_relation = per_relation

    def per_relation_messages(self, count, src, row, rel, norm):
        """Each relation's [d, d] product over whichever is fewer, as src/models/rgcn.ts does: the rows with
        in-edges of the relation (aggregate, then transform) or its distinct sources (transform, then aggregate)."""
        dim = self.dim
        weights = (self.coefficients @ self.bases).reshape(self.relation_count, dim, dim)
        messages = torch.zeros(count, dim)
        for rr in range(self.relation_count):
            of = rel == rr
            if not bool(of.any()):
                continue
            s, d, w = src[of], row[of], norm[of]
            targets, sources = torch.unique(d), torch.unique(s)
            if len(targets) <= len(sources):
                means = torch.zeros(len(targets), dim).index_add(
                    0, torch.searchsorted(targets, d), self.entities[s] * w[:, None]
                )
                messages = messages.index_add(0, targets, means @ weights[rr])
            else:
                products = self.entities[sources] @ weights[rr]
                messages = messages.index_add(0, d, products[torch.searchsorted(sources, s)] * w[:, None])
        return messages

    def forward(self, context_entities: list, labels: torch.Tensor) -> torch.Tensor:
        n, r, dim = self.entity_count, self.relation_count, self.dim
        items = len(self.item_entity)
        # Rows: every item first, then the batch's context entities not already there.
        extra = sorted({e for ents in context_entities for e in ents} - set(self.item_entity.tolist()))
        rows = torch.cat([self.item_entity, torch.tensor(extra, dtype=torch.long)])
        row_of = torch.full((n,), -1, dtype=torch.long)
        row_of[rows] = torch.arange(len(rows))
        edge_row = row_of[self.dst]
        keep = edge_row >= 0
        src, row, rel, norm = self.src[keep], edge_row[keep], self.rel[keep], self.norm[keep]
        if self.per_relation:
            messages = self.per_relation_messages(len(rows), src, row, rel, norm)
        else:
            messages_in = torch.zeros(len(rows) * r, dim)
            messages_in = messages_in.index_add(0, row * r + rel, self.entities[src] * norm[:, None])
            weights = (self.coefficients @ self.bases).reshape(r * dim, dim)
            messages = messages_in.reshape(len(rows), r * dim) @ weights
        own = self.entities[rows]
        encoded = own + self.self_loop(own) + messages
        # Self-attention pooling over each context's kept entities.
        table = torch.cat([encoded, self.empty])
        empty_row = len(rows)
        kept = [[int(row_of[e]) for e in ents] or [empty_row] for ents in context_entities]
        width = max(len(k) for k in kept)
        ids = torch.full((len(kept), width), empty_row, dtype=torch.long)
        mask = torch.zeros(len(kept), width, dtype=torch.bool)
        for b, k in enumerate(kept):
            ids[b, : len(k)] = torch.tensor(k)
            mask[b, : len(k)] = True
        values = table[ids]
        scores = (torch.tanh(values @ self.attention) @ self.attention_vector).squeeze(-1)
        weights_att = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=1)
        user = (weights_att[:, :, None] * values).sum(1)
        logits = user @ encoded[:items].T + self.item_bias
        return torch.nn.functional.cross_entropy(logits, labels)


def bench(spec: dict, threads: int, per_relation: bool) -> dict:
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    cfg = spec["config"]
    model = Kbrd(spec, per_relation)
    decay = [p for name, p in model.named_parameters() if not name.endswith("bias")]
    no_decay = [p for name, p in model.named_parameters() if name.endswith("bias")]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": cfg["weightDecay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=cfg["lr"],
    )
    labels = torch.tensor(spec["labels"], dtype=torch.long)
    times, losses, cpu = [], [], 0.0
    for i in range(spec["warmup"] + spec["steps"]):
        start, cpu_start = time.perf_counter(), time.process_time()
        optimizer.zero_grad()
        loss = model(spec["contextEntities"], labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["clipNorm"])
        optimizer.step()
        losses.append(loss.item())
        if i >= spec["warmup"]:
            times.append((time.perf_counter() - start) * 1000)
            cpu += (time.process_time() - cpu_start) * 1000
    return {
        "threads": threads,
        "messages": "per-relation" if per_relation else "dense",
        "ms": statistics.median(times),
        "cpu_ms": cpu / spec["steps"],
        "first_loss": losses[0],
        "last_loss": losses[-1],
    }


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    # Both message formulations, interleaved; the caller reports PyTorch's faster one per thread count.
    thread_counts = [int(t) for t in sys.argv[2:]] or [1, 2]
    print(json.dumps([bench(spec, threads, per_relation) for threads in thread_counts for per_relation in (False, True)]))
