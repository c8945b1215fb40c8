"""Explorations: suites run to learn something, not read by a table.

A lab notebook kept so every result file still names the run it came
from: probes toward the section-2 targets on Games, the length-bucketing
check, and the search for a strong CPU base on Beauty (issue 18). Their
runs show up in BENCHMARKS.md under "Other tagged runs" (or, untagged,
wherever their preset does); the comments say why each run exists.
"""

from __future__ import annotations

from typing import Any

from .common import (
    BEAUTY,
    EARLIER_STUDY_EPOCHS,
    GAMES,
    ML100K,
    SEQUENCE_SS256,
    Run,
)


def gbce256(share_negatives: str) -> dict[str, Any]:
    """The gBCE overrides of the games_beat runs: 256 negatives, t 0.75,
    shared per `share_negatives`."""
    return {
        "loss": "gbce",
        "loss_config": {
            "num_negatives": 256,
            "t": 0.75,
            "share_negatives": share_negatives,
        },
    }


CE_TWO_BLOCKS_D128 = {
    "d_model": 128,
    "d_ff": 128,
    "num_blocks": 2,
    "dropout": 0.5,
}

SS256_ITEMDROP_D128 = {
    "d_model": 128,
    "d_ff": 128,
    "loss": "sampled_softmax",
    "loss_config": SEQUENCE_SS256,
    "item_dropout": 0.2,
}


def _games_d128(tag: str, **overrides: Any) -> Run:
    """sasrec_wide's configuration (`sasrec` with SS256_ITEMDROP_D128)
    changed by `overrides`, on Games, validated every epoch."""
    return Run(
        f"{tag}_games",
        "sasrec",
        GAMES,
        "sampled-100",
        tag=tag,
        overrides={**SS256_ITEMDROP_D128, **overrides},
        training_overrides={"validate_every": 1},
        epochs=150,
        patience=25,
    )


STRONG_BASE = {"norm_position": "sasrec", "item_dropout": 0.2}
COSINE_RESTARTS = {
    "optimizer": "adamw",
    "weight_decay": 0.01,
    "schedule": "cosine_restarts",
    "restart_epochs": 10,
    "restart_t_mul": 2.0,
    "final_lr_fraction": 0.01,
}


SS1024 = {"loss_config": {**SEQUENCE_SS256, "num_negatives": 1024}}


def _flagship_ml(
    tag: str,
    training: dict[str, Any] | None = None,
    epochs: int | None = None,
    patience: int | None = None,
    **overrides: Any,
) -> Run:
    """rope_swiglu_time on MovieLens-100k changed by `overrides`
    (architecture), `training` (recipe), `epochs` and `patience`, seeds
    0-2 (the log is small and its seed noise large), validated every
    epoch, the preset's budget unless given."""
    return Run(
        tag,
        "rope_swiglu_time",
        ML100K,
        "full-loo",
        seeds=[0, 1, 2],
        tag=tag,
        overrides=overrides,
        training_overrides={"validate_every": 1, **(training or {})},
        epochs=epochs,
        patience=patience,
    )


# d 128 for the GPU probes: sasrec_plus at d_ff 4d; rope_swiglu's d_ff
# names the plain FFN its SwiGLU matches in parameters (227 wide).
PLUS_D128 = {"d_model": 128, "d_ff": 512}
RS_D128 = {"d_model": 128, "d_ff": 341}


def _beauty_probes(probes: tuple, **kwargs: Any) -> list[Run]:
    """One tagged Beauty (full-loo) run per `(tag, preset, overrides)`.

    The lent GPU's probes (beauty_gpu*). Their overrides are relative to
    the presets when they ran: rope_swiglu was d 64 with dropout 0.2 and
    patience 10 then. The result files record the whole model, and the
    report lists each run against the preset as it is now."""
    return [
        Run(
            tag,
            preset,
            BEAUTY,
            "full-loo",
            tag=tag,
            overrides=overrides,
            **kwargs,
        )
        for tag, preset, overrides in probes
    ]


def _strong_base(
    tag: str,
    training: dict[str, Any] | None = None,
    preset: str = "sasrec_plus",
    games: bool = False,
    **overrides: Any,
) -> Run:
    """`preset` (sasrec_plus unless named) + STRONG_BASE changed by
    `overrides` (architecture) and `training` (recipe), on Beauty (on
    Games with `games`), seed 0, up to 150 epochs."""
    return Run(
        tag,
        preset,
        GAMES if games else BEAUTY,
        "sampled-100" if games else "full-loo",
        seeds=[0],
        tag=tag,
        overrides={**STRONG_BASE, **overrides},
        training_overrides={"validate_every": 1, **(training or {})},
        epochs=150,
        patience=10,
    )


EXPLORATIONS: dict[str, list[Run]] = {
    # Toward the Games HR@10 target (section 2): every loss tried at d 50
    # to 64 plateaus at validation HR@10 0.75-0.78. These ask whether
    # capacity or dropout moves it: the full softmax (sasrec_ce) with the
    # paper's dropout 0.5, then at d 128 and d 256 with 2 blocks, the
    # paper's model with the full softmax, and BCE and 256 sampled
    # negatives at d 128. Sized for one lent GPU, seed 0 only:
    # SEEDS=0 JOBS=6 LIMIT=420 ONLY=... bash benchmarks/gpu_check.sh
    "games_gpu": [
        Run(
            "ce_do5_games",
            "sasrec_ce",
            GAMES,
            "sampled-100",
            tag="ce_do5",
            overrides={"dropout": 0.5},
        ),
        Run(
            "ce_d128_b2_games",
            "sasrec_ce",
            GAMES,
            "sampled-100",
            tag="ce_d128_b2",
            overrides=CE_TWO_BLOCKS_D128,
        ),
        Run(
            "ce_d256_b2_games",
            "sasrec_ce",
            GAMES,
            "sampled-100",
            tag="ce_d256_b2",
            overrides={
                **CE_TWO_BLOCKS_D128,
                "d_model": 256,
                "d_ff": 256,
                "item_dropout": 0.3,
            },
        ),
        Run(
            "paper_ce_games",
            "sasrec",
            GAMES,
            "sampled-100",
            tag="paper_ce",
            overrides={
                "loss": "softmax",
                "loss_config": {},
                "item_dropout": 0.2,
            },
            training_overrides={"validate_every": 1, "bucketing": False},
        ),
        Run(
            "bce_d128_games",
            "sasrec",
            GAMES,
            "sampled-100",
            tag="bce_d128",
            overrides={"d_model": 128, "d_ff": 128},
            training_overrides={"bucketing": False},
        ),
        Run(
            "ss256_itemdrop_d128_games",
            "sasrec",
            GAMES,
            "sampled-100",
            tag="ss256_itemdrop_d128",
            overrides=SS256_ITEMDROP_D128,
            training_overrides={"validate_every": 1, "bucketing": False},
        ),
        # After the seed-0 probe above: 256 sampled negatives with item
        # dropout at d 128 led (test HR@10 0.7597 against 0.7409 at d 50),
        # so the same at d 256.
        Run(
            "ss256_itemdrop_d256_games",
            "sasrec",
            GAMES,
            "sampled-100",
            tag="ss256_itemdrop_d256",
            overrides={
                "d_model": 256,
                "d_ff": 256,
                "loss": "sampled_softmax",
                "loss_config": SEQUENCE_SS256,
                "item_dropout": 0.2,
            },
            training_overrides={"validate_every": 1, "bucketing": False},
        ),
    ],
    # Toward the Games target (section 2): the paper's model (sasrec) with
    # a softmax over the target and 256 uniform negatives per sequence
    # instead of BCE with one negative, with and without dropout on the
    # item table. Uniform negatives are what sampled-100 ranks against.
    "games_beat": [
        Run(
            "sasrec_ss256_games",
            "sasrec",
            GAMES,
            "sampled-100",
            tag="ss256",
            overrides={
                "loss": "sampled_softmax",
                "loss_config": SEQUENCE_SS256,
            },
            epochs=150,
            patience=25,
        ),
        Run(
            "sasrec_ss256_itemdrop_games",
            "sasrec",
            GAMES,
            "sampled-100",
            tag="ss256_itemdrop",
            overrides={
                "loss": "sampled_softmax",
                "loss_config": SEQUENCE_SS256,
                "item_dropout": 0.2,
            },
            epochs=150,
            patience=25,
        ),
        # gSASRec's loss keeps BCE's per-item sigmoid (BCE gives the best
        # sampled-100 HR@10 here) with 256 negatives per step. The first
        # run shared them across the batch (it collapsed); the reference
        # code draws them per position (`gbce256_pos`); `gbce256_seq` per
        # sequence is a cheaper middle ground on CPU.
        Run(
            "sasrec_gbce256_games",
            "sasrec",
            GAMES,
            "sampled-100",
            tag="gbce256",
            overrides=gbce256(share_negatives="batch"),
            epochs=150,
            patience=25,
        ),
        # The batch-shared run again, with patience to outlast the plateau
        # at equal scores that per-sequence and per-position runs leave
        # after 10-20 epochs.
        Run(
            "sasrec_gbce256_patient_games",
            "sasrec",
            GAMES,
            "sampled-100",
            tag="gbce256_patient",
            overrides=gbce256(share_negatives="batch"),
            epochs=100,
            patience=50,
        ),
        Run(
            "sasrec_gbce256_seq_games",
            "sasrec",
            GAMES,
            "sampled-100",
            tag="gbce256_seq",
            overrides=gbce256(share_negatives="sequence"),
            epochs=150,
            patience=25,
        ),
        Run(
            "sasrec_gbce256_pos_games",
            "sasrec",
            GAMES,
            "sampled-100",
            tag="gbce256_pos",
            overrides=gbce256(share_negatives="position"),
            epochs=150,
            patience=25,
        ),
    ],
    # After the games_gpu suite found d 128 ahead of d 50 (256 sampled
    # negatives per sequence, item dropout 0.2): more negatives, more
    # item dropout, or random item replacement (SSE), at d 128. One core
    # each, 35-56 s an epoch.
    "games_d128": [
        _games_d128(
            "ss1024_itemdrop_d128",
            loss_config={**SEQUENCE_SS256, "num_negatives": 1024},
        ),
        _games_d128("ss256_itemdrop4_d128", item_dropout=0.4),
        # sasrec_wide plus SSE-PT's item-side regularizer: each history
        # item replaced by a random item with probability 0.1 (SSE-PT's
        # threshold_item 0.9), targets untouched.
        _games_d128("ss256_itemdrop_sse_d128", item_replacement=0.1),
        _games_d128("ss256_itemdrop_sse2_d128", item_replacement=0.2),
    ],
    # Does length bucketing change what is learned? Each batch's loss is
    # the mean over its real tokens, so without token weighting batches of
    # short sequences weigh each of their tokens more than batches of long
    # ones (benchmarks/batch_tokens.py). sasrec_wide on seed 0 for 8 epochs
    # (validation curves in the result files): padded to max_len,
    # bucketed without token weighting (the default before 2026-11-27)
    # and bucketed with it (the default since); then the full unbucketed
    # run, sized for a GPU.
    "bucketing": [
        *(
            Run(
                f"curve8_{tag}_games",
                "sasrec_wide",
                GAMES,
                "sampled-100",
                tag=f"curve8_{tag}",
                training_overrides=training,
                epochs=8,
                patience=8,
            )
            for tag, training in (
                ("unbucketed", {"bucketing": False}),
                ("bucketed_unweighted", {"token_weighting": False}),
                ("bucketed_weighted", {"token_weighting": True}),
            )
        ),
        Run(
            "sasrec_wide_unbucketed_games",
            "sasrec_wide",
            GAMES,
            "sampled-100",
            tag="unbucketed",
            training_overrides={"bucketing": False},
        ),
    ],
    # Issue 18, step 1: the strongest CPU recipe for the sasrec_plus family
    # on Beauty, chosen by best VALIDATION NDCG@10 (never by test). Each
    # run starts from cpu_block's sasrec_block_itemdrop (SASRec's block,
    # item-table dropout 0.2) and changes one thing; seed 0 first, the
    # leaders then get seeds 1-2. 150 epochs, patience 10, so no run is
    # stopped by the budget (the study's 60 capped two cpu_block seeds).
    "strong_base": [
        _strong_base("sb_ref"),
        _strong_base(
            "sb_ss1024", loss_config={**SEQUENCE_SS256, "num_negatives": 1024}
        ),
        _strong_base("sb_sse", item_replacement=0.1),
        _strong_base("sb_ema", training={"ema_momentum": 0.999}),
        _strong_base("sb_restarts", training=COSINE_RESTARTS),
        _strong_base("sb_d128", d_model=128, d_ff=512),
        _strong_base("sb_2blocks", num_blocks=2),
        # Greedy stacking on the leader by validation (sb_ss1024, val
        # NDCG@10 0.0715 against sb_ref's 0.0688): item replacement, then
        # weight EMA on top of it; warm restarts (the schedule that won on
        # Beauty) on the leader too.
        _strong_base(
            "sb_ss1024_sse",
            loss_config={**SEQUENCE_SS256, "num_negatives": 1024},
            item_replacement=0.1,
        ),
        _strong_base(
            "sb_ss1024_restarts",
            training=COSINE_RESTARTS,
            loss_config={**SEQUENCE_SS256, "num_negatives": 1024},
        ),
        _strong_base(
            "sb_ss1024_sse_ema",
            training={"ema_momentum": 0.999},
            loss_config={**SEQUENCE_SS256, "num_negatives": 1024},
            item_replacement=0.1,
        ),
        # Capacity on the leader: d 128 moved Games' validation HR@10 from
        # 0.735 (ss256_itemdrop) to 0.753 (ss256_itemdrop_d128).
        _strong_base(
            "sb_ss1024_sse_d128",
            loss_config={**SEQUENCE_SS256, "num_negatives": 1024},
            item_replacement=0.1,
            d_model=128,
            d_ff=512,
        ),
        # sb_ss1024_restarts took the lead by validation (0.0736, seed 0,
        # against sb_ss1024_sse's 0.0720 and 0.0730). Next: its seeds 1-2
        # (`--only=sb_ss1024_restarts --seeds=1,2`), item replacement on
        # top of it, and the flagship's block on its recipe. Outcome: seeds
        # 0-2 gave 0.0736, 0.0744 and 0.0741, and this recipe became
        # sasrec_plus (the flagship's block on it is now the study's
        # rope_swiglu run). Item replacement on the recipe, run after it
        # became sasrec_plus: validation 0.0739 (seed 0) against the
        # base's 0.0736, within the base's seed spread (0.0736-0.0744), so
        # the base does not take it (the flagship gained 0.0006-0.0008 on
        # two seeds, flagship_beauty).
        _strong_base(
            "sb_ss1024_sse_restarts",
            training=COSINE_RESTARTS,
            loss_config={**SEQUENCE_SS256, "num_negatives": 1024},
            item_replacement=0.1,
        ),
        _strong_base(
            "sb_rope_swiglu_restarts",
            preset="rope_swiglu",
            training=COSINE_RESTARTS,
            loss_config={**SEQUENCE_SS256, "num_negatives": 1024},
        ),
        # The presets must hold on every dataset (issue 18), so the
        # leader's recipe on Games too, where sasrec_sse_ema (d 128, item
        # replacement, weight EMA) leads with validation NDCG@10 0.6115-
        # 0.6152 and sasrec_plus sits at 0.5471-0.5505: the recipe at d 64,
        # at d 128, and with item replacement. Outcome at d 64: 0.5899 (seed
        # 0), above the old sasrec_plus, below sasrec_sse_ema.
        _strong_base(
            "sb_games_ss1024_restarts",
            games=True,
            training=COSINE_RESTARTS,
            **SS1024,
        ),
        _strong_base(
            "sb_games_ss1024_restarts_d128",
            games=True,
            training=COSINE_RESTARTS,
            d_model=128,
            d_ff=512,
            **SS1024,
        ),
        _strong_base(
            "sb_games_ss1024_sse_restarts",
            games=True,
            training=COSINE_RESTARTS,
            item_replacement=0.1,
            **SS1024,
        ),
        # d 128 overfit (validation fell from epoch 12 on), so more
        # regularisation instead: the SASRec paper's dropout 0.5 on Games.
        _strong_base(
            "sb_games_ss1024_restarts_do5",
            games=True,
            training=COSINE_RESTARTS,
            dropout=0.5,
            **SS1024,
        ),
        # It led on Games (validation NDCG@10 0.6011 at epoch 63, seed 0,
        # against 0.5899 at dropout 0.2): does dropout 0.5 hold on Beauty?
        # sasrec_plus is the recipe now, so no overrides but the dropout.
        # Outcome: 0.0689 at epoch 68 against the base's 0.0736: it does
        # not hold on Beauty, so the base keeps dropout 0.2.
        _strong_base("sb_do5", dropout=0.5),
        # Negatives shared per batch instead of per sequence: on Beauty's
        # short sequences a sequence draws 1,024 negatives for about 9
        # positions, and their gather and batched matmul dominate the step
        # (benchmarks/results/profile/rope_swiglu__jax.json). Same count
        # per position; does quality hold? And 4,096 per batch. Outcome
        # (seed 0, the runs' result files): 1,024 per batch trained at
        # 13,565 real tokens/s against 7,160, but reached validation
        # NDCG@10 0.0684 against 0.0736 (test 0.0543 against 0.0595): the
        # many distinct negatives of per-sequence sharing matter, so the
        # base keeps them. sb_ss4096_batch not run yet.
        _strong_base(
            "sb_ss1024_batch",
            loss_config={**SS1024["loss_config"], "share_negatives": "batch"},
        ),
        _strong_base(
            "sb_ss4096_batch",
            loss_config={
                **SS1024["loss_config"],
                "num_negatives": 4096,
                "share_negatives": "batch",
            },
        ),
        # Games wants more regularisation than Beauty: dropout 0.5 with
        # item replacement on top, and with weight EMA (sasrec_sse_ema, the
        # Games leader at 0.6139, has both replacement and EMA). Outcome of
        # the first (seed 0): validation NDCG@10 0.6013 against 0.6011
        # without replacement: no gain.
        _strong_base(
            "sb_games_ss1024_sse_restarts_do5",
            games=True,
            training=COSINE_RESTARTS,
            dropout=0.5,
            item_replacement=0.1,
            **SS1024,
        ),
        _strong_base(
            "sb_games_ss1024_restarts_do5_ema",
            games=True,
            training={**COSINE_RESTARTS, "ema_momentum": 0.999},
            dropout=0.5,
            **SS1024,
        ),
        # Capacity was never searched on Beauty (sb_d128 and sb_2blocks
        # were not run before the recipe settled), so before the study's
        # 45 runs on this base: 2 blocks, and d 128 (d_ff 4d), on
        # sasrec_plus as it is now (the search's result; no other change).
        # Outcome of 2 blocks (seed 0): validation 0.0731 at epoch 70
        # against the base's 0.0736, so the base keeps 1 block.
        # sb_plus_d128 was stopped on CPU at epoch 24 to free the core: the
        # lent GPU answered it first (beauty_gpu_3cycles, 3 seeds:
        # bg70_plus_d128 validation 0.0726 against bg70_plus's 0.0743, its
        # best epochs 20-30), so the base keeps d 64.
        _strong_base("sb_plus_2blocks", num_blocks=2),
        _strong_base("sb_plus_d128", d_model=128, d_ff=512),
        # Early stopping (patience 10) mostly ends a warm-restarts run a
        # few epochs into a new cycle, whose high learning rate drops
        # validation first: most runs of the base stop in the fourth cycle
        # (epochs 71-80, best epoch 64-70), but the study's swiglu seed 0
        # stopped in the third (epoch 38, best 28, at 0.0693 where the
        # others were at 0.0685-0.0696 too and went on to about 0.073).
        # Which cycle a run gets is a coin flip. The base without early stopping
        # through all four cycles (to epoch 150) says what a fixed budget
        # would give: its best by epoch 70 (three cycles) and by 150.
        # Outcome (seed 0): through epoch 70 its validation curve is the
        # base's own run's, bit for bit (best 0.0736 at epoch 70); the
        # fourth cycle reached 0.0741 at epoch 138 (test NDCG@10 0.0593
        # against 0.0595) for 1.8x the training seconds (2,633 against
        # 1,430). So a fixed budget of three cycles (70 epochs, the best
        # epoch kept, no early stopping) would give every run that reached
        # the fourth cycle the result it has now, and end the coin flip.
        # Adopted on 2026-11-30 for sasrec_plus and the study (common.py's
        # STUDY_EPOCHS, STUDY_PATIENCE).
        Run(
            "sb_plus_4cycles",
            "sasrec_plus",
            BEAUTY,
            "full-loo",
            seeds=[0],
            tag="sb_plus_4cycles",
            training_overrides={"validate_every": 1},
            epochs=150,
            patience=150,
        ),
        # Step 3 ahead of the study rerun: where does the flagship land on
        # the leader's recipe (sb_ss1024_sse: validation NDCG@10 0.0720 and
        # 0.0730, seeds 0-1)? rope_swiglu keeps RoPE + RMSNorm + bias-free
        # SwiGLU at equal parameters and takes the rest of the recipe.
        _strong_base(
            "sb_rope_swiglu",
            preset="rope_swiglu",
            loss_config={**SEQUENCE_SS256, "num_negatives": 1024},
            item_replacement=0.1,
        ),
    ],
    # Issue 18, step 3 on MovieLens-100k (target: rope_swiglu_time test
    # NDCG@10 >= 0.1250, today 0.1195): does the strong base's recipe
    # carry over to the time-aware flagship? Each piece alone, then all of
    # it with the preset's pre-norm block and with SASRec's block. A few
    # minutes a run; chosen by validation NDCG@10 over the three seeds.
    "flagship_ml": [
        _flagship_ml("mlf_itemdrop", item_dropout=0.2),
        _flagship_ml("mlf_ss1024", **SS1024),
        _flagship_ml("mlf_sse", item_replacement=0.1),
        # None of the three moved validation beyond seed noise (3 seeds
        # each; 1,024 negatives cost 8x the preset's training time), so
        # before the all-in combinations below: capacity and regularisation
        # of the preset itself, a few minutes a run.
        _flagship_ml("mlf_2blocks", num_blocks=2),
        _flagship_ml("mlf_d128", d_model=128, d_ff=512),
        _flagship_ml("mlf_heads2", num_heads=2),
        _flagship_ml("mlf_dropout1", dropout=0.1),
        _flagship_ml("mlf_dropout4", dropout=0.4),
        # None of the above beat the preset by validation over 3 seeds
        # (ss1024 within noise). Two pieces not tried yet: the full
        # softmax, cheap in parameters on a 1,682-item catalogue, and warm
        # restarts, which lead on Beauty (sb_ss1024_restarts). Outcome:
        # restarts lost (0.1282 against 0.1364); mlf_softmax was stopped
        # after 5 epochs at 3 s a step (max_len 200) on a slow host. On an
        # AVX-512 host (2026-12-02): validation 0.1378, 0.1335, 0.1418
        # (mean 0.1377) against the preset's 0.1360, 0.1306, 0.1424
        # (0.1363), within seed noise (about 0.008 for the difference of
        # the means), in 399-663 s of training on a shared core (the
        # preset's: 116-194 s on another host). Not adopted.
        _flagship_ml("mlf_softmax", loss="softmax", loss_config={}),
        _flagship_ml("mlf_restarts", training=COSINE_RESTARTS),
        # The preset's own runs were still improving when early stopping
        # (patience 10) ended them, at epochs 56-98 of a cosine schedule
        # sized to 200: validation NDCG@10 is noisy on 943 users. Longer
        # patience, and the whole schedule shortened to 100 epochs (run to
        # its end, the best epoch kept). Outcome: patience 30 gave 0.1401
        # (test unchanged), epochs 100 gave 0.1342. Patience 30 is not
        # adopted: +0.0037 is about one standard error of the difference.
        _flagship_ml("mlf_patience30", patience=30),
        _flagship_ml("mlf_epochs100", epochs=100, patience=100),
        _flagship_ml(
            "mlf_strong_pre", item_dropout=0.2, item_replacement=0.1, **SS1024
        ),
        _flagship_ml(
            "mlf_strong",
            norm_position="sasrec",
            item_dropout=0.2,
            item_replacement=0.1,
            **SS1024,
        ),
    ],
    # Issue 18, step 3 on Beauty: rope_swiglu keeps RoPE + RMSNorm +
    # bias-free SwiGLU and takes the rest from the strong base; seed 0 of
    # the study gave validation NDCG@10 0.0729 against sasrec_plus's 0.0736.
    # The rest chosen by validation: the LLM's pre-norm block instead of
    # SASRec's, and item replacement on top. Outcome: pre-norm 0.0716
    # (seed 0), not adopted; item replacement 0.0737 and 0.0735 (seeds
    # 0-1) against 0.0729 on both, adopted: rope_swiglu sets it now, so
    # fb_sse's override is the preset itself and fb_pre_norm's runs are of
    # the earlier definition.
    "flagship_beauty": [
        Run(
            tag,
            "rope_swiglu",
            BEAUTY,
            "full-loo",
            seeds=[0],
            tag=tag,
            overrides=overrides,
            training_overrides={"validate_every": 1},
            epochs=EARLIER_STUDY_EPOCHS,
            patience=10,
        )
        for tag, overrides in (
            ("fb_pre_norm", {"norm_position": "pre"}),
            ("fb_sse", {"item_replacement": 0.1}),
            # Learned absolute positions on top of RoPE (RoPE is kept).
            ("fb_rope_learned", {"position": "rope+learned"}),
            # Capacity, as strong_base's sb_plus_2blocks asks of the base.
            # Not run on CPU: the GPU probes answered it first (2 blocks
            # below 1 at d 64 and at d 128, beauty_gpu and
            # beauty_gpu_3cycles), and rope_swiglu moved to d 128, dropout
            # 0.3 and three cycles there, so the runs of this suite (made
            # at d 64) are of the earlier definition.
            ("fb_2blocks", {"num_blocks": 2}),
        )
    ],
    # Capacity for the flagship, probed on a lent GPU (JAX, seed 0, the
    # study's budget): a d 128 Beauty run trains about 40 minutes on one
    # CPU core, the card trained six at once in under 2 minutes. Each
    # preset beside its own d 64 run on the same card, since GPU numbers
    # are not the CPU's; choose by validation, then confirm on CPU. At
    # RS_D128 the SwiGLU has 1.70M parameters, sasrec_plus at PLUS_D128
    # 1.75M.
    #   SEEDS=0 JOBS=6 LIMIT=420 THROUGHPUT=0 SUITE=beauty_gpu \
    #       bash benchmarks/gpu_check.sh
    "beauty_gpu": _beauty_probes(
        (
            ("bg_plus", "sasrec_plus", {}),
            ("bg_plus_d128", "sasrec_plus", PLUS_D128),
            ("bg_rope_swiglu", "rope_swiglu", {}),
            ("bg_rs_d128", "rope_swiglu", RS_D128),
            ("bg_rs_2blocks", "rope_swiglu", {"num_blocks": 2}),
            (
                "bg_rs_d128_2blocks",
                "rope_swiglu",
                {**RS_D128, "num_blocks": 2},
            ),
        ),
        seeds=[0],
        epochs=EARLIER_STUDY_EPOCHS,
        patience=10,
    ),
    # The same probes on a fixed budget of three warm-restart cycles (70
    # epochs, best epoch kept, no early stopping), 3 seeds: in beauty_gpu
    # every d 128 run stopped at epoch 39-40, 10 epochs after the third
    # cycle's restart (the coin flip of patience 10 with restarts).
    #   JOBS=8 LIMIT=400 THROUGHPUT=0 SUITE=beauty_gpu_3cycles \
    #       bash benchmarks/gpu_check.sh
    "beauty_gpu_3cycles": _beauty_probes(
        (
            ("bg70_plus", "sasrec_plus", {}),
            ("bg70_rope_swiglu", "rope_swiglu", {}),
            ("bg70_rs_d128", "rope_swiglu", RS_D128),
            ("bg70_plus_d128", "sasrec_plus", PLUS_D128),
            (
                "bg70_rs_d128_do3",
                "rope_swiglu",
                {**RS_D128, "dropout": 0.3},
            ),
            (
                "bg70_rs_d128_2blocks",
                "rope_swiglu",
                {**RS_D128, "num_blocks": 2},
            ),
            # After bg70_rs_d128_do3 led (validation 0.0748): the base
            # at the same size and dropout, more dropout, and dropout 0.3
            # without the capacity (one wave of 9 jobs).
            (
                "bg70_plus_d128_do3",
                "sasrec_plus",
                {**PLUS_D128, "dropout": 0.3},
            ),
            (
                "bg70_rs_d128_do4",
                "rope_swiglu",
                {**RS_D128, "dropout": 0.4},
            ),
            ("bg70_rs_do3", "rope_swiglu", {"dropout": 0.3}),
        ),
        epochs=70,
        patience=70,
    ),
    # Outcome (H200, JAX; validation NDCG@10, mean of 3 seeds):
    # bg70_rs_d128_do3 led (0.0748) over sasrec_plus (0.0743), rope_swiglu
    # at d 64 (0.0735) and at d 128 with dropout 0.2 (0.0737); rope_swiglu
    # now sets d 128, dropout 0.3 and this budget. The last wave of 9 jobs
    # hit its time limit (partial: bg70_rs_d128_do4 0.0742-0.0749 by epoch
    # 55-58; bg70_plus_d128_do3 0.0729-0.0735, best at epoch 27-30).
    # Issue 18 asks for one flagship recipe across datasets. On Games
    # rope_swiglu (seed 0) peaks at validation NDCG@10 0.5942 at epoch 25
    # of 70 and then overfits (about 0.583 at the end), while the zoo's
    # best there, sasrec_sse_ema, averages its weights (EMA 0.999) at
    # dropout 0.5 and still climbs at epoch 55 (0.6115). Dropout 0.5 cost
    # Beauty's d 64 base validation (sb_do5 0.0689 against 0.0736), so
    # the probe is the averaging, which a model that overfits late in a
    # cycle should gain from on both: the preset + EMA 0.999, on its own
    # budget, seed 0, compared with the preset's seed-0 run on the same
    # data by validation. Then dropout 0.4, alone and with EMA: at d 128
    # it was within seed noise of 0.3 on Beauty (bg70_rs_d128_do4, partial)
    # and more dropout is what Games asks for. On MovieLens-100k, where a
    # run takes minutes: rope_swiglu_time + EMA, 3 seeds (its validation
    # is noisy on 943 users), at 0.99, an average over about 100 steps:
    # 12 of its epochs of 8 steps, as 0.999 is about 6 of the 175-step
    # epochs above.
    # Outcome on MovieLens-100k: validation 0.1366 ± 0.0079 against the
    # preset's 0.1364 ± 0.0059 (noise of the difference 0.0114): not
    # adopted. The Games run was stopped at epoch 7 (a host with a third
    # of the usual matmul peak made it a 3-hour run); the rest not run yet.
    # Outcome of fr_ema_do4_games (seed 0, TF, resumable over 2 processes
    # on the slow AVX2 host): validation NDCG@10 0.5979 at epoch 37 against
    # the preset's 0.5942 at 25, and it held 0.594-0.598 to epoch 70 where
    # the preset fell to 0.583 (test 0.5735 / HR@10 0.7524 against 0.5676 /
    # 0.7458): the two regularisers help on Games, still short of the
    # leader's 0.611-0.615. Its Beauty run is still to come.
    # fr_2b_ema_do5 takes two more of the Games leader's settings, 2 blocks
    # and dropout 0.5 (with EMA; the flagship keeps its RoPE, RMSNorm,
    # SwiGLU, loss and schedule). On Games every run at validation NDCG@10
    # >= 0.605 had both (sasrec_sse, sasrec_sse_ema); on Beauty 2 blocks
    # were within seed noise of 1 (sb_2blocks, 0.0731 against 0.0736), so
    # the pair is the probe on both.
    # Outcome of fr_2b_ema_do5_games (seed 0, TF, one process on the
    # ~200 GFLOP/s AVX-512 host): validation NDCG@10 0.6073 at epoch 70,
    # still rising (0.6050 at 56), against fr_ema_do4's 0.5979 and the
    # preset's 0.5942; test 0.5823 / HR@10 0.7634, next to the leader's
    # 0.5853 / 0.7666 (3 seeds) and still short of its validation
    # 0.611-0.615. Its Beauty run decides whether the pair goes into the
    # preset.
    # Outcome of fr_2b_ema_do5_beauty (seed 0, same host): validation
    # NDCG@10 0.0745 at epoch 66 against the preset's 0.0746 on seed 0
    # (0.0746-0.0755 over its 3 seeds): a tie on Beauty, slower to rise
    # (0.047 at epoch 22 against 0.071 at 20) but level by epoch 60. So
    # the pair ties on Beauty and wins on Games by validation. It was the
    # rope_swiglu preset for a few hours (2026-12-02), whose untagged
    # seeds checked it on more seeds; they now carry this tag (a note in
    # each file says so). Outcome over 3 seeds on Beauty: validation
    # 0.0745, 0.0734, 0.0739 against the old preset's 0.0746, 0.0755,
    # 0.0748 (behind on every seed, -0.0011 on the mean, best epoch 66-70:
    # slower to converge); Games seed 1: 0.6100 (seed 0 0.6073, the old
    # preset's seed 0 0.5942). Retraining saved_models/' synthetic model
    # with it (examples/save_synthetic_model.py, not kept) also scored
    # lower on validation than the committed model's card. A recipe that
    # wins on Games only: the preset went back.
    # (MovieLens-100k said the same of its parts: mlf_2blocks lost,
    # 0.1301 against 0.1364, and fr_ml_ema99 was level, 0.1366.)
    # fr_2b_ema_do5_rl probes learned positions beside RoPE on the pair
    # (Games), fr_rl on the preset itself (Beauty first). Outcome of
    # fr_2b_ema_do5_rl_games (seed 0): validation 0.6152 at epoch 70,
    # still rising, against the pair's 0.6073 and 0.6100 and the Games
    # leader sasrec_sse_ema's 0.6115-0.6152: learned positions add on
    # Games too. Outcome of fr_rl_beauty (seed 0): validation 0.0751 at
    # epoch 63 against the preset's 0.0746 on seed 0 (0.0746-0.0755 over
    # its 3 seeds): level, no loss. Outcome of fr_rl_games (seed 0):
    # 0.6008 at epoch 26, then down to 0.590 by 70 (the preset: 0.5942 at
    # 25), far behind the pair with learned positions (0.6152). Outcome
    # of fr_2b_ema_do5_rl_beauty (seed 0): 0.0750 at epoch 68 against the
    # preset's 0.0746 and fr_rl's 0.0751 (the pair without learned
    # positions: 0.0745): level. The pair with learned positions leads on
    # Games and ties on Beauty by validation, and was rope_swiglu for half
    # an hour (2026-12-02): on the synthetic data of saved_models/ it fell
    # far behind the preset, and each of its parts lost there
    # (benchmarks/synthetic_check.py), as 2 blocks lost on MovieLens-100k.
    # Learned positions alone held on all four logs and led on Games:
    # rope_swiglu is the preset + learned positions beside RoPE (fr_rl),
    # and its untagged seeds run again.
    "flagship_recipe": [
        Run(
            f"{tag}_{name}",
            "rope_swiglu",
            dataset,
            protocol,
            seeds=[0],
            tag=tag,
            overrides=overrides,
            training_overrides={"validate_every": 1, **training},
        )
        for tag, overrides, training in (
            ("fr_ema", {}, {"ema_momentum": 0.999}),
            ("fr_do4", {"dropout": 0.4}, {}),
            ("fr_ema_do4", {"dropout": 0.4}, {"ema_momentum": 0.999}),
            (
                "fr_2b_ema_do5",
                {"num_blocks": 2, "dropout": 0.5},
                {"ema_momentum": 0.999},
            ),
            # The study's RoPE alone lost to learned positions on Beauty
            # (Recall@10 -0.0027, real) where RoPE + learned was level:
            # the pair with both.
            (
                "fr_2b_ema_do5_rl",
                {"num_blocks": 2, "dropout": 0.5, "position": "rope+learned"},
                {"ema_momentum": 0.999},
            ),
            ("fr_rl", {"position": "rope+learned"}, {}),
        )
        for name, dataset, protocol in (
            ("games", GAMES, "sampled-100"),
            ("beauty", BEAUTY, "full-loo"),
        )
    ]
    + [
        _flagship_ml("fr_ml_ema99", training={"ema_momentum": 0.99}),
        # Learned positions beside RoPE, which added on Games and held on
        # Beauty, on the time-aware flagship (3 seeds, a few minutes each).
        # Outcome: validation NDCG@10 0.1398, 0.1336, 0.1346 (mean 0.1360)
        # against the preset's 0.1360, 0.1306, 0.1424 (0.1363): level.
        _flagship_ml("fr_ml_rl", position="rope+learned"),
    ],
}
