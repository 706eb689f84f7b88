package dev.styleclip.edit.mapper;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The coach's {@code loss_dict}: the float value of each active loss term, in its order (loss_id, id_improve,
 * loss_clip, loss_l2_latent, then the weighted total 'loss'). Terms with weight 0 are absent, as in calc_loss.
 */
public record LossDict(Map<String, Double> values) {
    public static final String ID = "loss_id";
    public static final String ID_IMPROVE = "id_improve";
    public static final String CLIP = "loss_clip";
    public static final String L2_LATENT = "loss_l2_latent";
    public static final String TOTAL = "loss";

    public LossDict {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public double get(String key) {
        Double v = values.get(key);
        if (v == null) throw new IllegalArgumentException("no " + key + " in this loss dict " + values.keySet());
        return v;
    }

    public double loss() {
        return get(TOTAL);
    }

    /** train_utils.aggregate_loss_dict: the mean of each key over the batches. */
    public static LossDict mean(List<LossDict> dicts) {
        Map<String, Double> sum = new LinkedHashMap<>();
        Map<String, Integer> count = new LinkedHashMap<>();
        for (LossDict d : dicts) {
            d.values.forEach((k, v) -> {
                sum.merge(k, v, Double::sum);
                count.merge(k, 1, Integer::sum);
            });
        }
        sum.replaceAll((k, v) -> v / count.get(k));
        return new LossDict(sum);
    }

    /** {'loss_clip': 0.95, ...} as Python prints a dict (the reference's timestamp.txt lines). */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        values.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append('\'').append(k).append("': ").append(v));
        return sb.append('}').toString();
    }
}
