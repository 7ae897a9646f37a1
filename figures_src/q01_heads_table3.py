"""Q1 图 2：Vaswani et al. 2017 表 3 (A) 行——计算量不变时改变头数 h。

The numbers below are QUOTED from the paper (Table 3, rows "base" and (A); English→German, dev set
newstest2013; PPL is per-wordpiece perplexity; BLEU on the dev set), not computed here.
Consistency checks (asserted): every row keeps h · d_k = h · d_v = d_model = 512 (so the cost of the projections
is constant, as §3.2.2 / §6.2 say); the best BLEU is 25.8 (h = 8 and h = 16); single-head attention is
25.8 − 24.9 = 0.9 BLEU worse than the best setting, as the text of §6.2 states; h = 32 is worse than h = 8 ("quality
also drops off with too many heads").
"""
import functools

import numpy as np

ALT = ("双轴折线图：论文表 3 (A) 中头数 h 取 1、4、8、16、32（d_k = 512/h）时的开发集 BLEU 与困惑度。"
       "单头 BLEU 24.9，比最好的 25.8（h = 8 或 16）低 0.9；h = 32 又降到 25.4，头并非越多越好。")

# Quoted from Vaswani et al. 2017, Table 3 (base row and rows (A)); columns: h, d_k, d_v, PPL(dev), BLEU(dev).
TABLE3_A = np.array([
    [1, 512, 512, 5.29, 24.9],
    [4, 128, 128, 5.00, 25.5],
    [8, 64, 64, 4.92, 25.8],  # the base model
    [16, 32, 32, 4.91, 25.8],
    [32, 16, 16, 5.01, 25.4],
])
D_MODEL = 512


@functools.lru_cache(maxsize=None)
def compute():
    h, dk, dv, ppl, bleu = TABLE3_A.T
    assert np.all(h * dk == D_MODEL) and np.all(h * dv == D_MODEL)
    best = bleu.max()
    assert best == 25.8 and set(h[bleu == best]) == {8, 16}
    assert abs((best - bleu[h == 1][0]) - 0.9) < 1e-9  # "single-head attention is 0.9 BLEU worse than the best"
    assert bleu[h == 32][0] < bleu[h == 8][0]  # "quality also drops off with too many heads"
    assert ppl[h == 1][0] == ppl.max()  # the single head also has the worst perplexity
    return h, dk, ppl, bleu


def make(theme):
    import matplotlib.pyplot as plt

    h, dk, ppl, bleu = compute()
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    x = np.arange(len(h))
    ax.plot(x, bleu, "o-", color=theme.palette[0], lw=2, label="BLEU（开发集，越高越好）")
    for xi, b in zip(x, bleu):
        ax.annotate(f"{b:.1f}", (xi, b), textcoords="offset points", xytext=(0, 7), ha="center",
                    fontsize=9, color=theme.palette[0])
    ax.set_ylabel("BLEU", color=theme.palette[0])
    ax.set_ylim(24.6, 26.5)
    ax.set_xticks(x)
    ax.set_xticklabels([f"h={int(a)}\nd_k={int(b)}" for a, b in zip(h, dk)], fontsize=9)
    ax.set_xlabel("头数 h 与每头维度 d_k（h·d_k = 512，计算量不变）")
    ax2 = ax.twinx()
    ax2.plot(x, ppl, "s--", color=theme.palette[1], lw=1.5, label="困惑度 PPL（越低越好）")
    ax2.set_ylabel("PPL", color=theme.palette[1])
    ax2.set_ylim(4.8, 5.4)
    ax2.spines["right"].set_visible(True)
    lines = ax.get_lines()[:1] + ax2.get_lines()[:1]
    ax.legend(lines, [ln.get_label() for ln in lines], fontsize=8, loc="upper center", ncol=2)
    ax.set_title("Vaswani 等 2017 表 3 (A)：英德翻译 newstest2013（数值引自论文）", fontsize=9)
    ax.grid(True, alpha=0.5)
    fig.tight_layout()
    return fig
