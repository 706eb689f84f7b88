package dev.styleclip.stylegan2;

/**
 * One entry of style space S, in StyleCLIP's order: conv1, to_rgb1, convs.0, convs.1, to_rgbs.0, ...
 *
 * @param index    position in the S list
 * @param name     the module's name in the checkpoint ("convs.3", "to_rgbs.1")
 * @param channels the entry's size: that layer's input channels
 * @param toRgb    whether it modulates a ToRGB (StyleCLIP's global directions skip these)
 * @param wRow     the W+ row it is computed from
 */
public record StyleLayer(int index, String name, int channels, boolean toRgb, int wRow) {
}
