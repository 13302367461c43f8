package org.sanku.generate;

import java.util.SplittableRandom;

/**
 * The demographic model of a generated region: an age–sex pyramid of an ageing Sichuan city, a mortality
 * schedule that gives a life expectancy near 78 and an infant mortality near 3‰, chronic-disease prevalence by
 * age, and plausible Chinese names.
 */
final class Demography {

  private Demography() {}

  /**
   * Relative size of the 5-year age groups 0–4 … 95–99 on the reference date, shaped on the 2020 census of
   * Sichuan's ageing eastern cities (many working-age residents away, a large 45–59 bulge, 65+ near a fifth).
   */
  private static final double[] PYRAMID = {
      4.2, 5.0, 5.2, 4.6, 3.9, 4.6, 6.2, 5.6, 5.2, 7.8, 8.9, 7.6, 5.8,
      6.4, 5.2, 3.6, 2.4, 1.2, 0.45, 0.12};
  private static final double[] CUMULATIVE = new double[PYRAMID.length];

  static {
    double s = 0;
    for (double w : PYRAMID) {
      s += w;
    }
    double c = 0;
    for (int i = 0; i < PYRAMID.length; i++) {
      c += PYRAMID[i] / s;
      CUMULATIVE[i] = c;
    }
  }

  /** Age in completed years on the reference date. */
  static int sampleAge(SplittableRandom r) {
    double u = r.nextDouble();
    int g = 0;
    while (g < CUMULATIVE.length - 1 && u > CUMULATIVE[g]) {
      g++;
    }
    return g * 5 + r.nextInt(5);
  }

  /** Annual death hazard at a given age (per person-year). */
  static double hazard(int age) {
    if (age < 1) {
      return 0.0030;
    }
    if (age < 5) {
      return 0.00030;
    }
    if (age < 15) {
      return 0.00020;
    }
    if (age < 25) {
      return 0.00045;
    }
    if (age < 35) {
      return 0.00075;
    }
    if (age < 45) {
      return 0.0014;
    }
    return Math.min(0.6, 0.0025 * Math.exp(0.092 * (age - 45)));
  }

  /** Hypertension prevalence among adults by age (about a quarter of residents aged 35+). */
  static double htnPrevalence(int age) {
    if (age < 35) {
      return 0.02;
    }
    if (age < 45) {
      return 0.10;
    }
    if (age < 55) {
      return 0.19;
    }
    if (age < 65) {
      return 0.30;
    }
    if (age < 75) {
      return 0.42;
    }
    return 0.48;
  }

  /** Type 2 diabetes prevalence by age (about a tenth of residents aged 35+). */
  static double t2dmPrevalence(int age) {
    if (age < 35) {
      return 0.01;
    }
    if (age < 45) {
      return 0.04;
    }
    if (age < 55) {
      return 0.08;
    }
    if (age < 65) {
      return 0.12;
    }
    return 0.16;
  }

  private static final String[] SURNAMES = (
      "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
      + "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万严覃"
      + "武戴莫孔向汤蒲敬何勾母").split("");
  /** Sichuan-typical weight: the first surnames are far more common. */
  private static final double SURNAME_SKEW = 1.6;

  private static final String[] MALE_OLD = (
      "建国华明德文志强军国平福成林生清荣贵富海忠兴学光春发全树永昌元中云山宗本").split("");
  private static final String[] FEMALE_OLD = (
      "秀英兰珍芳玉桂凤华淑琴素梅莲翠萍金银碧香菊群蓉琼").split("");
  private static final String[] MALE_NEW = (
      "浩宇轩杰涛俊鹏磊伟强斌超凯勇晨睿博文泽航铭辰瑞子豪熙然阳昊天佳嘉").split("");
  private static final String[] FEMALE_NEW = (
      "婷丽静雪琳欣怡晶敏燕悦雨萱涵瑶妍诗梦佳可馨思琪蕾露娜莉婉").split("");

  static String name(SplittableRandom r, int sex, int birthYear) {
    int i = (int) Math.floor(SURNAMES.length * Math.pow(r.nextDouble(), SURNAME_SKEW));
    StringBuilder sb = new StringBuilder(SURNAMES[i]);
    boolean old = birthYear < 1975;
    String[] pool = sex == 1 ? (old ? MALE_OLD : MALE_NEW) : (old ? FEMALE_OLD : FEMALE_NEW);
    sb.append(pool[r.nextInt(pool.length)]);
    if (r.nextDouble() < 0.78) {
      sb.append(pool[r.nextInt(pool.length)]);
    }
    return sb.toString();
  }
}
