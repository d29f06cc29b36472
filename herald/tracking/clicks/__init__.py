"""What people do with what they were sent: short links and open pixels followed (`links`), by a person or a
machine (`agents`); orders and coupons credited to the message that earned them, by its coupon or its last
click (`conversions`); and a campaign's figures from all of these (`figures`)."""
