//! A deployment's matching weights as written in its settings: read strictly, every mistake named.

use rapport_core::matching::Weights;

#[test]
fn components_left_out_keep_their_default_weight() {
    let w: Weights = "style=0.5, distance=0.2".parse().unwrap();
    assert_eq!(
        w,
        Weights {
            style: 0.5,
            distance: 0.2,
            ..Weights::default()
        }
    );
    assert_eq!("".parse::<Weights>().unwrap(), Weights::default());
}

#[test]
fn weights_written_out_read_back_the_same() {
    let w = Weights {
        concerns: 0.4,
        effectiveness: 0.0,
        ..Weights::default()
    };
    assert_eq!(w.to_string().parse::<Weights>().unwrap(), w);
    assert!(w.to_string().starts_with("concerns=0.4,style=0.25,"));
}

#[test]
fn every_mistake_is_named_with_its_component() {
    let e = "stlye=0.3,distance=-1,concerns=abc,modality,identity=0.1,identity=0.2"
        .parse::<Weights>()
        .unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "match_weights.stlye",
            "match_weights.distance",
            "match_weights.concerns",
            "match_weights.modality",
            "match_weights.identity"
        ]
    );
    assert!(e.0[0].reason.contains("is not a score component"), "{e}");
    assert_eq!(e.0[1].reason, "must be a number from 0 to 1000");
    assert_eq!(e.0[4].reason, "is given twice");
    for bad in ["style=NaN", "style=inf", "style=1e9"] {
        assert!(bad.parse::<Weights>().is_err(), "{bad}");
    }
}

#[test]
fn all_weights_at_zero_is_refused() {
    let e = "concerns=0,style=0,modality=0,identity=0,distance=0,effectiveness=0"
        .parse::<Weights>()
        .unwrap_err();
    assert_eq!(e.0[0].field, "match_weights");
    assert_eq!(e.0[0].reason, "at least one weight must be above 0");
}
