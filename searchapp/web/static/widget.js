/* The embeddable widget: see widget-demo. */
