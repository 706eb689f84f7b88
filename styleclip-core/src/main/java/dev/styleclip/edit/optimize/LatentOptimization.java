package dev.styleclip.edit.optimize;

import dev.styleclip.stop.Stop;
import dev.styleclip.check.Checks;
import dev.styleclip.check.SettingException;
import dev.styleclip.arcface.IdLoss;
import dev.styleclip.clip.ClipLoss;
import dev.styleclip.clip.ClipViews;
import dev.styleclip.clip.tokenizer.ClipTokenizer;
import dev.styleclip.clip.tokenizer.TruncationPolicy;
import dev.styleclip.optim.Adam;
import dev.styleclip.stylegan2.Generator;
import dev.styleclip.stylegan2.NoiseMode;
import dev.styleclip.stylegan2.StyleCodes;
import dev.styleclip.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Text-driven latent optimization, StyleCLIP's first method (optimization/run_optimization.py {@code main}):
 * Adam on a W+ latent (or on the non-ToRGB entries of S) to minimise the CLIP loss of the image against the
 * prompt, plus, in edit mode, {@code l2_lambda * ||latent - start||^2} (a squared sum) and
 * {@code id_lambda * ID loss(image, start image)}. The learning rate follows {@link LearningRate}; as in the
 * reference, step 0 runs with lr 0 but still counts for Adam. {@link Settings#views} can average the CLIP loss over
 * random crops and flips, {@link Settings#smoothing} over latents near the current one,
 * {@link Settings#l1Lambda} adds {@code l1_lambda * |latent - start|} (a sum of absolute values; {@link Settings#l1Ramp}
 * can raise its weight over the run, {@link Settings#l1PullShare} caps it by the prompt's pull), and
 * {@link OptimizationSpace#W} moves every W+ row by one offset (none of them is in the reference).
 *
 * <p>Each step runs in its own native scope; only the latent and Adam's moments live across steps.
 */
public final class LatentOptimization {
    /** The most steps a run takes (a guard against a typo, far beyond any useful run). */
    public static final int MAX_STEPS = 100_000;
    /** The largest learning rate accepted: Adam moves each coordinate by about lr per step, and w's spread is about 1. */
    public static final double MAX_LR = 10;

    /**
     * @param prompt    the text the image should match
     * @param mode      edit (with l2 and ID terms) or free generation (CLIP loss only)
     * @param space     W+, W (one offset for every row) or S
     * @param steps     Adam steps (reference: 300)
     * @param lr        peak learning rate (0.1)
     * @param l2Lambda  weight of the squared distance to the start latent (0.008)
     * @param idLambda  weight of the identity loss (0.005 as StyleCLIP's notebook; 0 turns it off)
     * @param views     random views the CLIP loss is averaged over ({@link ClipViews#NONE}: the reference's one)
     * @param smoothing latents near the current one the CLIP loss is averaged over ({@link LatentSmoothing#NONE}: the
     *                  reference's loss at the latent itself); W+ and W only
     * @param l1Lambda  weight of the absolute distance to the start latent (0, as the reference): a coordinate whose
     *                  CLIP gradient is weaker than this weight (times the rows, in W) is pulled back to where it
     *                  started (Adam's momentum carries it past for a few steps first), which keeps an edit to the
     *                  coordinates the prompt pulls hardest
     * @param l1Ramp    the share of the steps over which the L1 weight rises linearly from 0 to {@code l1Lambda}
     *                  (0: the full weight from the first step; 1: it reaches it at the last): the edit first moves
     *                  as it would without the term, past the point where the prompt's own axis pulls harder, and the
     *                  rising weight then pulls the weakly pulled coordinates back
     * @param l1PullShare caps the L1 weight for a prompt CLIP pulls on weakly: the term's pull on a coordinate is at
     *                  most this share of {@link PromptPull the prompt's pull} (0: no cap, {@code l1Lambda} as given;
     *                  W and W+ only). The weight a run used is in {@link Result#l1Lambda}
     * @param retry     optimizes again, from its start and with a looser L1 weight, every latent whose CLIP loss the
     *                  run lowered by less than a minimum ({@link LooseRetry}; {@link LooseRetry#NONE}: one pass, as
     *                  the reference); edit mode only
     */
    public record Settings(String prompt, OptimizationMode mode, OptimizationSpace space, int steps, double lr,
                           double l2Lambda, double idLambda, ClipViews views, LatentSmoothing smoothing, double l1Lambda,
                           double l1Ramp, double l1PullShare, LooseRetry retry) {
        public Settings {
            Checks.given("prompt", prompt);
            Checks.given("mode", mode);
            Checks.given("space", space);
            Checks.between("steps", steps, 1, MAX_STEPS);
            Checks.openClosed("lr", lr, 0, MAX_LR);
            Checks.nonNegative("l2-lambda", l2Lambda);
            Checks.nonNegative("id-lambda", idLambda);
            Checks.nonNegative("l1-lambda", l1Lambda);
            Checks.closed("l1-ramp", l1Ramp, 0, 1);
            Checks.nonNegative("l1-pull-share", l1PullShare);
            Checks.given("views", views);
            Checks.given("smoothing", smoothing);
            Checks.given("retry", retry);
            if (!retry.none() && mode != OptimizationMode.EDIT) {
                throw new SettingException("retry-below", "works in edit mode, where there is a start to gain on");
            }
            if (l1PullShare > 0 && space == OptimizationSpace.S) {
                throw new SettingException("l1-pull-share", "works in W+ and W, not in S");
            }
            if (!smoothing.none() && space == OptimizationSpace.S) {
                throw new SettingException("smooth", "works in W+ and W, not in S");
            }
        }

        /** One pass. */
        public Settings(String prompt, OptimizationMode mode, OptimizationSpace space, int steps, double lr,
                        double l2Lambda, double idLambda, ClipViews views, LatentSmoothing smoothing, double l1Lambda,
                        double l1Ramp, double l1PullShare) {
            this(prompt, mode, space, steps, lr, l2Lambda, idLambda, views, smoothing, l1Lambda, l1Ramp, l1PullShare, LooseRetry.NONE);
        }

        /** The L1 term at its full weight from the first step. */
        public Settings(String prompt, OptimizationMode mode, OptimizationSpace space, int steps, double lr,
                        double l2Lambda, double idLambda, ClipViews views, LatentSmoothing smoothing, double l1Lambda) {
            this(prompt, mode, space, steps, lr, l2Lambda, idLambda, views, smoothing, l1Lambda, 0, 0, LooseRetry.NONE);
        }

        /** Without the L1 term (the reference has none). */
        public Settings(String prompt, OptimizationMode mode, OptimizationSpace space, int steps, double lr,
                        double l2Lambda, double idLambda, ClipViews views, LatentSmoothing smoothing) {
            this(prompt, mode, space, steps, lr, l2Lambda, idLambda, views, smoothing, 0, 0, 0, LooseRetry.NONE);
        }

        /** The reference's loss: one view of the image as it is, at the latent itself. */
        public Settings(String prompt, OptimizationMode mode, OptimizationSpace space, int steps, double lr,
                        double l2Lambda, double idLambda) {
            this(prompt, mode, space, steps, lr, l2Lambda, idLambda, ClipViews.NONE, LatentSmoothing.NONE);
        }

        public Settings withPrompt(String p) {
            return new Settings(p, mode, space, steps, lr, l2Lambda, idLambda, views, smoothing, l1Lambda, l1Ramp, l1PullShare, retry);
        }

        public Settings withSmoothing(LatentSmoothing sm) {
            return new Settings(prompt, mode, space, steps, lr, l2Lambda, idLambda, views, sm, l1Lambda, l1Ramp, l1PullShare, retry);
        }

        public Settings withViews(ClipViews v) {
            return new Settings(prompt, mode, space, steps, lr, l2Lambda, idLambda, v, smoothing, l1Lambda, l1Ramp, l1PullShare, retry);
        }

        public Settings withL1(double l1) {
            return new Settings(prompt, mode, space, steps, lr, l2Lambda, idLambda, views, smoothing, l1, l1Ramp, l1PullShare, retry);
        }

        public Settings withL1Ramp(double ramp) {
            return new Settings(prompt, mode, space, steps, lr, l2Lambda, idLambda, views, smoothing, l1Lambda, ramp, l1PullShare, retry);
        }

        public Settings withL1PullShare(double share) {
            return new Settings(prompt, mode, space, steps, lr, l2Lambda, idLambda, views, smoothing, l1Lambda, l1Ramp, share, retry);
        }

        public Settings withRetry(LooseRetry r) {
            return new Settings(prompt, mode, space, steps, lr, l2Lambda, idLambda, views, smoothing, l1Lambda, l1Ramp, l1PullShare, r);
        }

        /** The L1 weight at step {@code i}: {@code l1Lambda}, or its share of the ramp while the ramp lasts. */
        public double l1WeightAt(int i) {
            return l1Ramp == 0 ? l1Lambda : l1Lambda * Math.min(1.0, i / (l1Ramp * steps));
        }

        public static Settings defaults(String prompt) {
            return new Settings(prompt, OptimizationMode.EDIT, OptimizationSpace.W_PLUS, 300, 0.1, 0.008, 0.005);
        }
    }

    /** The losses a step starts from (computed before its update), as the reference prints them. */
    public record StepLosses(int step, double lr, double clip, double l2, double l1, double id, double total) {
    }

    /** Sees every step while its tensors are alive; copy what you keep. */
    public interface Observer {
        /**
         * @param image  the image of the latent before this step's update (the losses were computed on it; with
         *               smoothing, the CLIP loss on its neighbours)
         * @param latent the latent after the update: W+ [1, L, D], or flat S [1, sum C]
         * @param grad   d total / d latent of this step, same layout as {@code latent} (in W: d total / d offset,
         *               [1, 1, D])
         */
        void onStep(StepLosses losses, Tensor image, Tensor latent, Tensor grad);

        /**
         * Called before a {@link LooseRetry} pass; its steps follow, numbered from 0 again, on a batch of the
         * {@code rows} only.
         *
         * @param rows     the batch rows optimized again
         * @param l1Lambda the L1 weight of that pass
         */
        default void onRetry(long[] rows, double l1Lambda) {
        }
    }

    /**
     * What a run returns; the tensors belong to the caller.
     *
     * @param l1Lambda    the L1 weight the first pass used (after the ramp): {@link Settings#l1Lambda}, or less under
     *                    {@link Settings#l1PullShare}
     * @param losses      the first pass's steps (sums over the batch)
     * @param retried     the batch rows a {@link LooseRetry} optimized again (empty: none); their latents and final
     *                    images are the second pass's
     * @param retryLosses the second pass's steps, sums over the retried rows (empty without one)
     */
    public record Result(Tensor startImage, Tensor latent, Tensor finalImage, List<StepLosses> losses, double l1Lambda,
                         long[] retried, List<StepLosses> retryLosses) {
        /** One pass. */
        public Result(Tensor startImage, Tensor latent, Tensor finalImage, List<StepLosses> losses, double l1Lambda) {
            this(startImage, latent, finalImage, losses, l1Lambda, new long[0], List.of());
        }
    }

    private final Generator g;
    private final ClipLoss clipLoss;
    private final IdLoss idLoss;
    private final ClipTokenizer tokenizer = ClipTokenizer.load();

    /** @param idLoss may be null when every run has {@code idLambda == 0} */
    public LatentOptimization(Generator g, ClipLoss clipLoss, IdLoss idLoss) {
        this.g = g;
        this.clipLoss = clipLoss;
        this.idLoss = idLoss;
    }

    /** The reference's free-generation start: latent_avg repeated over every W+ row. */
    public Tensor meanStart() {
        return g.latentAvg().unsqueeze(1).repeat(1, g.config().nLatent(), 1);
    }

    /**
     * Optimizes from {@code startWPlus} [1, L, D]. Without the identity term a batch [B, L, D] is B independent
     * optimizations at once (the losses are sums over the batch and Adam works elementwise), which is how
     * {@code world eval} edits many seeds; the reported losses are then sums over the batch. With a
     * {@link Settings#retry} the rows whose CLIP loss fell by less than its minimum are optimized again (see
     * {@link Result#retried}).
     */
    public Result run(Tensor startWPlus, Settings s, Observer observer) {
        Result first = pass(startWPlus, s, observer);
        if (s.retry().none()) return first;
        long[] rows;
        try (NoGradGuard ng = new NoGradGuard(); PointerScope scope = new PointerScope()) {
            int[][] tokens = tokenizer.tokenize(List.of(s.prompt()), TruncationPolicy.ERROR);
            Tensor gain = clipLoss.forward(first.startImage(), tokens).sub(clipLoss.forward(first.finalImage(), tokens)).reshape(-1);
            float[] g = Tensors.toFloatArray(gain);
            rows = java.util.stream.IntStream.range(0, g.length).filter(i -> !(g[i] >= s.retry().minGain())).asLongStream().toArray();
        }
        if (rows.length == 0) return first;
        if (observer != null) observer.onRetry(rows, s.retry().l1Lambda());
        Settings loose = s.withL1(s.retry().l1Lambda()).withL1PullShare(0).withRetry(LooseRetry.NONE);
        Tensor index = Tensors.longs(rows);
        Result second = pass(startWPlus.index_select(0, index), loose, observer);
        try (NoGradGuard ng = new NoGradGuard()) {
            Tensor latent = first.latent().index_copy(0, index, second.latent());
            Tensor image = first.finalImage().index_copy(0, index, second.finalImage());
            return new Result(first.startImage(), latent, image, first.losses(), first.l1Lambda(), rows, second.losses());
        }
    }

    private Result pass(Tensor startWPlus, Settings s, Observer observer) {
        boolean withId = s.idLambda() > 0 && s.mode() == OptimizationMode.EDIT;
        Tensors.checkShape("start latent", startWPlus, withId ? 1 : -1, g.config().nLatent(), g.config().styleDim());
        if (withId && idLoss == null) {
            throw new IllegalArgumentException("id_lambda > 0 needs an identity network (IR-SE50 weights)");
        }
        int[][] tokens = tokenizer.tokenize(List.of(s.prompt()), TruncationPolicy.ERROR);
        Tensor startImage;
        List<Tensor> start;
        try (NoGradGuard ng = new NoGradGuard()) {
            startImage = g.synthesize(startWPlus, NoiseMode.CONST);
            start = switch (s.space()) {
                case S -> g.styles(startWPlus);
                case W_PLUS -> List.of(startWPlus.clone());
                case W -> List.of(torch.zeros_like(startWPlus.narrow(1, 0, 1))); // the offset, [B, 1, D]
            };
        }
        Tensor idTarget = s.idLambda() > 0 && s.mode() == OptimizationMode.EDIT ? idLoss.targetEmbedding(startImage) : null;
        List<Tensor> latent = new ArrayList<>();
        for (int i = 0; i < start.size(); i++) {
            Tensor p = start.get(i).detach().clone();
            // in S only the non-ToRGB entries learn; the others stay in Adam's list without a gradient, as in the reference
            if (s.space() != OptimizationSpace.S || !g.styleLayout().get(i).toRgb()) p.set_requires_grad(true);
            latent.add(p);
        }
        if (s.l1PullShare() > 0 && s.l1Lambda() > 0 && s.mode() == OptimizationMode.EDIT) {
            double pull = PromptPull.of(g, clipLoss, tokens, s.space());
            s = s.withL1(PromptPull.cappedL1(s.l1Lambda(), s.l1PullShare(), pull, s.space() == OptimizationSpace.W ? g.config().nLatent() : 1));
        }
        Adam adam = new Adam(latent, s.lr());
        ClipViews.Sampler views = s.views().sampler();
        LatentSmoothing.Sampler smoothing = s.smoothing().none() ? null : s.smoothing().sampler();
        List<StepLosses> history = new ArrayList<>();
        for (int i = 0; i < s.steps(); i++) {
            Stop.check(); // between steps, never inside one: the engine's work is whole when the run unwinds
            try (PointerScope scope = new PointerScope()) {
                double lr = LearningRate.at((double) i / s.steps(), s.lr());
                adam.setLr(lr);
                Tensor image = null;
                Tensor clip;
                if (smoothing == null) {
                    image = synthesize(startWPlus, latent, s.space());
                    clip = clipLoss.forward(image, tokens, views).sum();
                } else {
                    Tensor near = g.synthesize(smoothing.around(result(startWPlus, latent, s.space())), NoiseMode.CONST);
                    clip = clipLoss.forward(near, tokens, views).sum().div(new Scalar((double) s.smoothing().samples()));
                    if (idTarget != null) {
                        image = synthesize(startWPlus, latent, s.space());
                    } else if (observer != null) {
                        try (NoGradGuard ng = new NoGradGuard()) {
                            image = synthesize(startWPlus, latent, s.space());
                        }
                    }
                }
                Tensor loss = clip;
                double l2v = 0;
                double l1v = 0;
                double idv = 0;
                if (s.mode() == OptimizationMode.EDIT) {
                    Tensor l2 = distance(latent, start, s.space(), true);
                    loss = loss.add(l2.mul(new Scalar(s.l2Lambda())));
                    l2v = l2.item_double();
                    if (s.l1Lambda() > 0) {
                        Tensor l1 = distance(latent, start, s.space(), false);
                        loss = loss.add(l1.mul(new Scalar(s.l1WeightAt(i))));
                        l1v = l1.item_double();
                    }
                    if (idTarget != null) {
                        Tensor id = idLoss.lossToTarget(image, idTarget);
                        loss = loss.add(id.mul(new Scalar(s.idLambda())));
                        idv = id.item_double();
                    }
                }
                adam.zeroGrad();
                loss.backward();
                StepLosses losses = new StepLosses(i, lr, clip.item_double(), l2v, l1v, idv, loss.item_double());
                if (!Double.isFinite(losses.total())) {
                    throw new ArithmeticException("the optimization diverged at step " + i + ": its loss is " + losses.total()
                            + " (clip " + losses.clip() + ", l2 " + l2v + "); a lower learning rate or weight keeps it finite");
                }
                Tensor grad = observer == null ? null : gradient(latent);
                adam.step();
                history.add(losses);
                if (observer != null) observer.onStep(losses, image.detach(), result(startWPlus, latent, s.space()).detach(), grad);
            }
        }
        try (NoGradGuard ng = new NoGradGuard()) {
            Tensor finalImage = synthesize(startWPlus, latent, s.space());
            return new Result(startImage, result(startWPlus, latent, s.space()).detach().clone(), finalImage, history, s.l1Lambda());
        }
    }

    private Tensor synthesize(Tensor startWPlus, List<Tensor> latent, OptimizationSpace space) {
        return space == OptimizationSpace.S
                ? g.synthesizeFromStyles(latent, NoiseMode.CONST) : g.synthesize(result(startWPlus, latent, space), NoiseMode.CONST);
    }

    /** The latent a run stands at: W+ [B, L, D] (the start plus the offset, in W), or flat S. */
    private Tensor result(Tensor startWPlus, List<Tensor> latent, OptimizationSpace space) {
        return space == OptimizationSpace.W ? startWPlus.add(latent.get(0)) : flat(latent);
    }

    /**
     * The distance to the start, squared ((start - latent)^2 summed) or absolute (|start - latent| summed), over every
     * W+ row or every S entry, frozen ones included. In W the offset moves every row, so its distance counts once per
     * row, as the same move in W+ would.
     */
    private Tensor distance(List<Tensor> latent, List<Tensor> start, OptimizationSpace space, boolean squared) {
        Tensor total = null;
        for (int i = 0; i < latent.size(); i++) {
            Tensor diff = start.get(i).sub(latent.get(i));
            Tensor d = (squared ? diff.square() : diff.abs()).sum();
            total = total == null ? d : total.add(d);
        }
        return space == OptimizationSpace.W ? total.mul(new Scalar(g.config().nLatent())) : total;
    }

    private Tensor flat(List<Tensor> latent) {
        return latent.size() == 1 ? latent.get(0) : StyleCodes.flatten(latent);
    }

    private Tensor gradient(List<Tensor> latent) {
        List<Tensor> grads = new ArrayList<>();
        for (Tensor p : latent) {
            Tensor gr = p.grad();
            grads.add(gr.defined() ? gr.clone() : torch.zeros_like(p));
        }
        return flat(grads);
    }
}
